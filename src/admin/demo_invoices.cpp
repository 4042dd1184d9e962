#include "admin/demo_invoices.hpp"

#include <fmt/format.h>

#include <chrono>
#include <random>

#include "cfdi/builder.hpp"
#include "cfdi/rules.hpp"
#include "invoices/importer.hpp"
#include "shared/decimal.hpp"

namespace vertice::admin {

namespace {

struct Party {
  const char* rfc;
  const char* nombre;
};

constexpr Party kAcme{"ADI920101AB3", "ACME DISTRIBUCIONES"};
constexpr Party kCustomers[] = {{"WAL9709244W4", "NUEVA WAL MART DE MEXICO"},
                                {"TSO991022PB6", "TIENDAS SORIANA"},
                                {"OXX970814HS9", "CADENA COMERCIAL OXXO"},
                                {"CCH8704285T9", "TIENDAS CHEDRAUI"},
                                {"LPH510228RE6", "EL PUERTO DE LIVERPOOL"}};
constexpr Party kSuppliers[] = {{"CAF0105154G7", "CAFETALERA DE CHIAPAS"},
                                {"EMP960212QW1", "EMPAQUES DEL BAJIO"},
                                {"TRA881130JK2", "TRANSPORTES DEL NORTE"}};
constexpr const char* kProducts[][2] = {{"Café molido 1 kg", "215.50"},
                                        {"Café en grano 500 g", "139.90"},
                                        {"Chocolate de mesa 250 g", "48.75"},
                                        {"Vainilla natural 120 ml", "89.00"},
                                        {"Mole poblano 500 g", "72.30"}};

std::string Uuid(int kind, int n) { return fmt::format("DE{:02X}0000-0000-4000-8000-{:012}", kind, n); }

std::string Stamp(std::chrono::sys_days day, int hour) {
  std::chrono::year_month_day ymd(day);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:15:00", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()), hour);
}

// Plain function (not a coroutine): the documents, built in memory.
std::vector<invoices::ImportFile> DemoFiles() {
  using namespace std::chrono;
  const sys_days today = floor<days>(system_clock::now());
  std::mt19937 rng(20261127);  // NOLINT(cert-msc51-cpp): fixed, the same demo every time
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };

  std::vector<invoices::ImportFile> files;
  // Issued: ~3 a week over the last year; PPD to the chains, paid 15–60 days later, except the
  // most recent ones and a few overdue.
  for (int i = 0; i < 150; ++i) {
    const sys_days day = today - days(360 - i * 12 / 5);
    const auto& customer = kCustomers[pick(5)];
    cfdi::InvoiceSpec inv;
    inv.uuid = Uuid(1, i);
    inv.serie = "A";
    inv.folio = std::to_string(1000 + i);
    inv.fecha = Stamp(day, 9 + pick(8));
    inv.emisor_rfc = kAcme.rfc;
    inv.emisor_nombre = kAcme.nombre;
    inv.receptor_rfc = customer.rfc;
    inv.receptor_nombre = customer.nombre;
    const bool ppd = pick(3) != 0;
    inv.metodo_pago = ppd ? "PPD" : "PUE";
    inv.forma_pago = ppd ? "99" : "03";
    for (int l = 0, lines = 1 + pick(3); l < lines; ++l) {
      const auto* p = kProducts[pick(5)];
      inv.lines.push_back({p[0], std::to_string(12 * (1 + pick(20))), p[1]});
    }
    if (i % 37 == 5) {  // an export sale in dollars
      inv.moneda = "USD";
      inv.tipo_cambio = "17.2450";
      inv.lines = {{"Café de especialidad (exportación)", "40", "18.50", "0.000000"}};
    }
    files.push_back({fmt::format("demo/emitidas/A{}.xml", inv.folio), cfdi::BuildInvoice(inv)});
    const auto age = (today - day).count();
    if (!ppd || inv.moneda != "MXN" || age < 20 || i % 11 == 3) continue;  // still open
    // Payment complement: in full, or a first installment for every fourth invoice.
    // The invoice's total as the reader sees it (the builder computed it with SAT's rounding).
    auto total = cfdi::Check(files.back().bytes).document->total->value.Rescale<2>(shared::Rounding::kHalfUp).value();
    auto paid = i % 4 == 0 ? total.DivInt(2, shared::Rounding::kHalfUp).value() : total;
    cfdi::PaymentSpec pay;
    pay.uuid = Uuid(2, i);
    pay.folio = std::to_string(5000 + i);
    int lag = 15 + pick(45);
    if (lag >= age) lag = static_cast<int>(age) - 1;
    const sys_days paid_on = day + days(lag);
    pay.fecha = Stamp(paid_on, 18);
    pay.fecha_pago = Stamp(paid_on, 12);
    pay.emisor_rfc = kAcme.rfc;
    pay.emisor_nombre = kAcme.nombre;
    pay.receptor_rfc = customer.rfc;
    pay.receptor_nombre = customer.nombre;
    pay.docs = {{inv.uuid, "MXN", "1", 1, total.ToString(), paid.ToString()}};
    files.push_back({fmt::format("demo/pagos/P{}.xml", pay.folio), cfdi::BuildPayment(pay)});
  }
  // Credit notes for returned goods on three invoices.
  for (int k = 0; k < 3; ++k) {
    const int target = 20 + k * 40;
    cfdi::InvoiceSpec nc;
    nc.uuid = Uuid(3, k);
    nc.tipo = "E";
    nc.serie = "NC";
    nc.folio = std::to_string(k + 1);
    nc.fecha = Stamp(today - days(360 - target * 12 / 5 - 5), 11);
    nc.emisor_rfc = kAcme.rfc;
    nc.emisor_nombre = kAcme.nombre;
    nc.receptor_rfc = kCustomers[k].rfc;
    nc.receptor_nombre = kCustomers[k].nombre;
    nc.lines = {{"Devolución de mercancía", "2", "215.50"}};
    nc.related = {{"01", Uuid(1, target)}};
    files.push_back({fmt::format("demo/notas/NC{}.xml", nc.folio), cfdi::BuildInvoice(nc)});
  }
  // Received: monthly supplier invoices (payables), the last three months still open.
  for (int m = 0; m < 12; ++m) {
    for (int s = 0; s < 3; ++s) {
      cfdi::InvoiceSpec inv;
      inv.uuid = Uuid(4, m * 3 + s);
      inv.serie = "F";
      inv.folio = std::to_string(300 + m * 3 + s);
      inv.fecha = Stamp(today - days(350 - m * 30), 10);
      inv.emisor_rfc = kSuppliers[s].rfc;
      inv.emisor_nombre = kSuppliers[s].nombre;
      inv.receptor_rfc = kAcme.rfc;
      inv.receptor_nombre = kAcme.nombre;
      inv.metodo_pago = m >= 9 ? "PPD" : "PUE";
      inv.forma_pago = m >= 9 ? "99" : "03";
      inv.lines = {{s == 0   ? "Café verde (saco 60 kg)"
                    : s == 1 ? "Bolsas metalizadas"
                             : "Flete CDMX-MTY",
                    std::to_string(2 + m % 4),
                    s == 0   ? "4850.00"
                    : s == 1 ? "1275.40"
                             : "3900.00"}};
      files.push_back({fmt::format("demo/recibidas/F{}.xml", inv.folio), cfdi::BuildInvoice(inv)});
    }
  }
  return files;
}

}  // namespace

db::Task<Result<int>> LoadDemoInvoices(db::Pool& pool) {
  auto files = DemoFiles();
  db::TenantScope scope;
  scope.tenant_id = "demo";
  scope.company_id = "acme";
  shared::Actor actor;
  actor.type = "system";
  actor.id = "demo";
  actor.tenant_id = "demo";
  actor.company_id = "acme";
  invoices::Importer importer(pool, scope, actor, "demo");
  VERTICE_CO_TRY(co_await importer.Begin());
  VERTICE_CO_ASSIGN_OR_RETURN(auto results, co_await importer.Add(std::move(files)));
  VERTICE_CO_TRY(co_await importer.Finish());
  for (const auto& r : results)
    if (r.outcome == invoices::Outcome::kRejected || r.outcome == invoices::Outcome::kConflict)
      co_return Fail(ErrorKind::kInternal, "demo.invoice_refused", "demo invoice refused: " + r.name, {},
                     r.findings.empty() ? "" : r.findings.front().code + " " + r.findings.front().message);
  co_return importer.Counts().accepted;
}

}  // namespace vertice::admin
