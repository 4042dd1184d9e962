// Writes well-formed, internally consistent CFDI 4.0 documents (ingreso/egreso with IVA per
// line, and Pagos 2.0): the demo data, the benchmarks and the tests use them. Amounts are
// computed with the shared decimals exactly as the SAT rules check them. The documents carry a
// TimbreFiscalDigital with the given UUID (its SelloSAT is not real) and the issuer's seal of a
// test certificate for the emisor's RFC (cfdi/test_csd.hpp): they verify here, and are test data,
// not fiscal documents.
#pragma once

#include <string>
#include <vector>

namespace vertice::cfdi {

struct LineSpec {
  std::string descripcion;
  std::string cantidad = "1";
  std::string valor_unitario;    // "1500.00"
  std::string iva = "0.160000";  // TasaOCuota; empty: Exento
  std::string clave_prod_serv = "01010101";
};

struct InvoiceSpec {
  std::string uuid;        // empty: unstamped (no TFD)
  std::string tipo = "I";  // I or E
  std::string serie = "A";
  std::string folio;
  std::string fecha;  // 2026-01-15T10:00:00
  std::string emisor_rfc, emisor_nombre;
  std::string receptor_rfc, receptor_nombre;
  std::string metodo_pago = "PUE";
  std::string forma_pago = "03";
  std::string moneda = "MXN";
  std::string tipo_cambio;  // for moneda ≠ MXN
  std::vector<LineSpec> lines;
  std::vector<std::pair<std::string, std::string>> related;  // (TipoRelacion, UUID)
};

struct PaidDocSpec {
  std::string uuid;
  std::string moneda_dr = "MXN";
  std::string equivalencia = "1";
  int parcialidad = 1;
  std::string saldo_anterior;  // "17852.75"
  std::string pagado;
};

struct PaymentSpec {
  std::string uuid;
  std::string folio;
  std::string fecha;
  std::string emisor_rfc, emisor_nombre;
  std::string receptor_rfc, receptor_nombre;
  std::string fecha_pago;
  std::string forma_pago = "03";
  std::string moneda_p = "MXN";
  std::string tipo_cambio_p;  // for moneda_p ≠ MXN
  std::string monto;          // empty: Σ pagado / equivalencia
  std::vector<PaidDocSpec> docs;
};

// Throws std::invalid_argument on amounts that do not parse (a programming error in the caller).
std::string BuildInvoice(const InvoiceSpec& spec);
std::string BuildPayment(const PaymentSpec& spec);

}  // namespace vertice::cfdi
