// Writes a ZIP of N generated CFDI for the import benchmark, shaped like a SAT bulk download:
// issued invoices of one company (PUE and PPD) with a payment complement for every third PPD.
//   cfdi_corpus OUT.zip N [EMISOR_RFC]
#include <fmt/format.h>
#include <zip.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cfdi/builder.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: cfdi_corpus OUT.zip N [EMISOR_RFC]\n");
    return 2;
  }
  const int n = std::stoi(argv[2]);
  const std::string rfc = argc > 3 ? argv[3] : "ADI920101AB3";
  int err = 0;
  zip* z = zip_open(argv[1], ZIP_CREATE | ZIP_TRUNCATE, &err);
  if (!z) return 1;
  std::vector<std::string> keep;  // zip_source_buffer does not copy; libzip reads at close
  keep.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    const bool payment = i % 6 == 5;
    if (payment) {
      vertice::cfdi::PaymentSpec p;
      p.uuid = fmt::format("BE000000-0000-4000-9000-{:012}", i);
      p.folio = std::to_string(i);
      p.fecha = "2027-01-16T10:00:00";
      p.emisor_rfc = rfc;
      p.receptor_rfc = "WAL9709244W4";
      p.fecha_pago = "2027-01-15T12:00:00";
      p.docs = {{fmt::format("BE000000-0000-4000-8000-{:012}", i - 1), "MXN", "1", 1, "4976.40", "4976.40"}};
      keep.push_back(vertice::cfdi::BuildPayment(p));
    } else {
      vertice::cfdi::InvoiceSpec inv;
      inv.uuid = fmt::format("BE000000-0000-4000-8000-{:012}", i);
      inv.folio = std::to_string(i);
      inv.fecha = fmt::format("2026-{:02}-{:02}T10:00:00", 1 + i % 12, 1 + i % 28);
      inv.emisor_rfc = rfc;
      inv.emisor_nombre = "ACME DISTRIBUCIONES";
      inv.receptor_rfc = "WAL9709244W4";
      inv.receptor_nombre = "NUEVA WAL MART DE MEXICO";
      inv.metodo_pago = i % 6 == 4 ? "PPD" : "PUE";
      inv.forma_pago = i % 6 == 4 ? "99" : "03";
      inv.lines = {{"Café molido 1 kg", "12", "215.50"},
                   {"Chocolate de mesa", "24", "48.75"},
                   {"Vainilla natural", "6", "89.00"}};
      keep.push_back(vertice::cfdi::BuildInvoice(inv));
    }
    auto* src = zip_source_buffer(z, keep.back().data(), keep.back().size(), 0);
    zip_file_add(z, fmt::format("{}.xml", i).c_str(), src, ZIP_FL_OVERWRITE);
  }
  return zip_close(z) == 0 ? 0 : 1;
}
