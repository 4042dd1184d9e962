#include "admin/demo_bank.hpp"

#include <fmt/format.h>

#include <string>

#include "banking/statement_importer.hpp"
#include "invoices/export.hpp"
#include "reconciliation/run.hpp"
#include "shared/decimal.hpp"

namespace vertice::admin {

namespace {

// The month's movements of one company, oldest first ($1 company): from its invoices (issued ones
// paid by customers, received ones paid to suppliers) and its services billings, plus what every
// account carries. Days and who quotes a reference follow a hash of the document, so a load is
// deterministic for a given day.
constexpr const char* kMovements = R"sql(
WITH d AS (SELECT (now() AT TIME ZONE 'America/Mexico_City')::date AS today),
inv AS (
  SELECT i.*, abs(hashtext(i.uuid)) AS h,
         upper(left(translate(i.counterparty_name, 'áéíóúüÁÉÍÓÚÜñÑ,.', 'aeiouuAEIOUUnN  '), 40)) AS who
    FROM sat_invoices i, d
   WHERE i.company_id = $1 AND i.tipo = 'I' AND i.status = 'vigente' AND i.moneda = 'MXN'
     AND i.fecha::date BETWEEN d.today - 45 AND d.today - 2),
sent AS (
  SELECT LEAST(i.fecha::date + 2 + i.h % 12, d.today - 1) AS day, 'SPEI ENVIADO ' || i.who AS description,
         i.folio AS reference, -i.total_mxn AS amount
    FROM inv i, d WHERE i.direction = 'received' AND i.h % 10 < 8),
moves AS (
  SELECT LEAST(i.fecha::date + 1 + i.h % 9, d.today - 1), 'SPEI RECIBIDO ' || i.who,
         CASE WHEN i.h % 3 = 0 THEN '' ELSE i.folio END, i.total_mxn
    FROM inv i, d WHERE i.direction = 'issued' AND i.h % 10 < 7
  UNION ALL SELECT * FROM sent
  UNION ALL SELECT day, 'COMISION SPEI', '', -6.00 FROM sent
  UNION ALL SELECT day, 'IVA COMISION SPEI', '', -0.96 FROM sent
  UNION ALL
  SELECT LEAST(b.billed_on + 3 + abs(hashtext(b.billing_id::text)) % 6, d.today - 1),
         'SPEI RECIBIDO ' || upper(left(translate(c.client_name, 'áéíóúüÁÉÍÓÚÜñÑ,.', 'aeiouuAEIOUUnN  '), 40)),
         c.contract_id::text, b.amount
    FROM services_billings b JOIN services_contracts c ON c.contract_id = b.contract_id, d
   WHERE b.company_id = $1 AND b.billed_on BETWEEN d.today - 40 AND d.today - 4
  UNION ALL
  SELECT g::date, CASE WHEN extract(day FROM g) = 15 THEN 'PAGO NOMINA 1A QUINCENA' ELSE 'PAGO NOMINA 2A QUINCENA' END,
         '', CASE WHEN $1 = 'acme' THEN -184350.00 ELSE -96200.00 END
    FROM d, generate_series(d.today - 30, d.today - 1, interval '1 day') g
   WHERE extract(day FROM g) = 15 OR g::date = (date_trunc('month', g) + interval '1 month - 1 day')::date
  UNION ALL
  SELECT g::date, 'PAGO REFERENCIADO SAT', lpad((abs(hashtext($1 || g::date::text)) % 10000000)::text, 7, '0'),
         CASE WHEN $1 = 'acme' THEN -96420.00 ELSE -41870.00 END
    FROM d, generate_series(d.today - 30, d.today - 1, interval '1 day') g WHERE extract(day FROM g) = 17
  UNION ALL
  SELECT g::date, x.description, '', x.amount
    FROM d, generate_series(d.today - 30, d.today - 1, interval '1 day') g,
         (VALUES ('COMISION MANEJO DE CUENTA', -350.00), ('IVA COMISION MANEJO DE CUENTA', -56.00)) x(description, amount)
   WHERE extract(day FROM g) = 1
  UNION ALL
  -- The card acquirer settles each day's card sales the next day, net of its 1.75 % and the IVA on it.
  SELECT s.business_date + 1, 'LIQUIDACION TPV AFILIACION 7521394', '',
         sum(s.total) - round(sum(s.total) * 0.0175, 2) - round(round(sum(s.total) * 0.0175, 2) * 0.16, 2)
    FROM cpg_sales s, d
   WHERE s.company_id = $1 AND s.payment_method = 'card' AND s.business_date BETWEEN d.today - 31 AND d.today - 2
   GROUP BY s.business_date
  UNION ALL
  -- Cash from the stores, deposited on Mondays and Thursdays.
  SELECT g::date, 'DEPOSITO EN EFECTIVO SUCURSAL', '',
         (SELECT sum(s.total) FROM cpg_sales s WHERE s.company_id = $1 AND s.payment_method = 'cash'
             AND s.business_date BETWEEN g::date - 4 AND g::date - 1)
    FROM d, generate_series(d.today - 30, d.today - 1, interval '1 day') g
   WHERE extract(isodow FROM g) IN (1, 4)
     AND EXISTS (SELECT 1 FROM cpg_sales s WHERE s.company_id = $1 AND s.payment_method = 'cash'
                    AND s.business_date BETWEEN g::date - 4 AND g::date - 1)
  UNION ALL
  -- Rent, electricity and telephone, on their usual days.
  SELECT g::date, x.description, x.reference, CASE WHEN $1 = 'acme' THEN x.acme ELSE x.globex END
    FROM d, generate_series(d.today - 30, d.today - 1, interval '1 day') g,
         (VALUES (5, 'RENTA BODEGA Y OFICINAS', 'RENTA', -65000.00, -38000.00),
                 (8, 'PAGO TELMEX', '5550123456', -1899.00, -1299.00),
                 (10, 'PAGO CFE SERVICIO', '544160900112', -18430.00, -4210.00),
                 (20, 'PAGO SEGURO FLOTILLA', 'POL-88231', -12640.00, -3950.00)) x(dom, description, reference, acme, globex)
   WHERE extract(day FROM g) = x.dom
  UNION ALL
  SELECT g::date, 'COMPRA TARJETA GASOLINERA', '', CASE WHEN $1 = 'acme' THEN -2840.00 ELSE -1150.00 END
    FROM d, generate_series(d.today - 30, d.today - 1, interval '1 day') g WHERE extract(isodow FROM g) = 5
  UNION ALL
  SELECT g::date, 'INTERESES GANADOS', '', CASE WHEN $1 = 'acme' THEN 1240.55 ELSE 512.30 END
    FROM d, generate_series(d.today - 30, d.today - 1, interval '1 day') g
   WHERE g::date = (date_trunc('month', g) + interval '1 month - 1 day')::date)
SELECT m.day::text AS day, m.description, m.reference, m.amount::numeric(18,2)::text AS amount
  FROM moves m (day, description, reference, amount), d
 WHERE m.day BETWEEN d.today - 30 AND d.today - 1
 ORDER BY m.day, m.amount DESC, m.description, m.reference)sql";

struct DemoAccount {
  const char* company;
  const char* name;
  const char* bank;
  const char* clabe;
  const char* opening;  // the balance before the month
};
constexpr DemoAccount kAccounts[] = {
    {"acme", "BBVA operación", "BBVA México", "012180001183597198", "1850000.00"},
    {"globex", "Banorte operación", "Banorte", "072180001234567897", "640000.00"},
};

db::Task<Result<int>> LoadCompany(db::Pool& pool, const DemoAccount& a) {
  const db::TenantScope scope{"demo", a.company};
  VERTICE_CO_ASSIGN_OR_RETURN(
      auto account, co_await pool.InTransaction(scope, [&](db::Transaction& tx) -> db::Task<Result<db::Rows>> {
        VERTICE_CO_TRY(co_await tx.Query(
            "INSERT INTO bank_accounts (tenant_id, company_id, name, bank, clabe) "
            "SELECT vertice_current_tenant(), vertice_current_company(), $1, $2, $3 "
            "WHERE NOT EXISTS (SELECT 1 FROM bank_accounts WHERE tenant_id = vertice_current_tenant() "
            "AND company_id = vertice_current_company() AND clabe = $3)",
            db::P(a.name, a.bank, a.clabe)));
        co_return co_await tx.Query(
            "SELECT account_id FROM bank_accounts WHERE tenant_id = vertice_current_tenant() "
            "AND company_id = vertice_current_company() AND clabe = $1",
            db::P(a.clabe));
      }));
  VERTICE_CO_ASSIGN_OR_RETURN(auto moves, co_await pool.InTransaction(scope, [&](db::Transaction& tx) {
    return tx.Query(kMovements, db::P(a.company));
  }));
  if (moves.Empty()) co_return 0;

  // The statement as the bank's CSV export writes it: id, date, description, reference, signed
  // amount and the running balance.
  auto balance = *shared::Money::Parse(a.opening);
  std::string csv = "id,date,description,reference,amount,balance\n";
  for (int i = 0; i < moves.Size(); ++i) {
    auto amount = shared::Money::Parse(moves.Str(i, "amount"));
    if (!amount) co_return std::unexpected(amount.error());
    VERTICE_CO_ASSIGN_OR_RETURN(balance, balance.Add(*amount));
    csv += fmt::format("{}-{}-{:05},{},{},{},{},{}\n", a.company, moves.Str(i, "day"), i + 1, moves.Str(i, "day"),
                       invoices::CsvField(moves.Str(i, "description")), invoices::CsvField(moves.Str(i, "reference")),
                       amount->ToString(), balance.ToString());
  }
  const shared::Actor actor{"system", "demo-load", "demo", a.company, ""};
  banking::StatementImporter importer(pool, scope, actor, "demo", {});
  banking::ImportRequest request;
  request.file_name = std::string(a.company) + "-demo-statement.csv";
  request.bytes = std::move(csv);
  request.account_id = account.Int(0, "account_id");
  VERTICE_CO_ASSIGN_OR_RETURN(auto report, co_await importer.Import(std::move(request)));
  if (report.error) co_return std::unexpected(*report.error);
  if (report.new_lines > 0) {
    reconciliation::RunRequest run;
    run.requested_by = "demo";
    VERTICE_CO_TRY(co_await reconciliation::RunReconciliation(pool, scope, run));
  }
  co_return report.new_lines;
}

}  // namespace

db::Task<Result<int>> LoadDemoBank(db::Pool& pool) {
  int total = 0;
  for (const auto& a : kAccounts) {
    VERTICE_CO_ASSIGN_OR_RETURN(auto n, co_await LoadCompany(pool, a));
    total += n;
  }
  co_return total;
}

}  // namespace vertice::admin
