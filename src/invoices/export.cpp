#include "invoices/export.hpp"

namespace vertice::invoices {

namespace {

constexpr int kMaxRows = 100000;

constexpr const char* kExportColumns = R"sql(
SELECT coalesce(i.uuid, '') AS uuid, i.serie, i.folio, to_char(i.fecha, 'YYYY-MM-DD"T"HH24:MI:SS') AS fecha,
  i.tipo, i.direction, i.status, i.counterparty_rfc, i.counterparty_name, i.moneda,
  cfdi_amount_text(i.subtotal) AS subtotal, coalesce(cfdi_amount_text(i.descuento), '') AS descuento,
  cfdi_amount_text(i.total) AS total, coalesce(trim_scale(i.tipo_cambio)::text, '') AS tipo_cambio,
  i.total_mxn::text AS total_mxn, i.metodo_pago, cfdi_amount_text(i.outstanding) AS outstanding, i.payment_state
FROM sat_invoices i WHERE )sql";

// The statement's columns in order, and the header the file shows for them (Spanish).
constexpr const char* kHeader =
    "uuid,serie,folio,fecha,tipo,direccion,estado,rfc_contraparte,nombre_contraparte,moneda,subtotal,descuento,"
    "total,tipo_cambio,total_mxn,metodo_pago,saldo,estado_pago\r\n";

}  // namespace

std::string CsvField(std::string_view v) {
  bool quote = v.find_first_of(",\"\r\n") != std::string_view::npos;
  // Spreadsheets run cells that start with = + - @ as formulas: prefix them (OWASP CSV injection).
  bool formula = !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '@' ||
                                (v[0] == '-' && v.size() > 1 && !(v[1] >= '0' && v[1] <= '9')));
  std::string out = formula ? "'" : "";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return quote ? "\"" + out + "\"" : out;
}

db::Task<Result<std::string>> ExportCsv(db::Transaction& tx, const shared::ListSelection& selection) {
  const std::string sql = std::string(kExportColumns) + selection.where + " ORDER BY i.fecha, i.invoice_id LIMIT " +
                          std::to_string(kMaxRows + 1);
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query(sql, selection.params));
  if (rows.Size() > kMaxRows)
    co_return Fail(ErrorKind::kPayloadTooLarge, "invoices.export_too_large",
                   "La exportación excede 100,000 facturas; acote el periodo con from y to.");
  std::string csv = "\xEF\xBB\xBF";  // BOM: Excel opens UTF-8 (ñ, acentos) correctly
  csv += kHeader;
  for (int r = 0; r < rows.Size(); ++r) {
    for (int c = 0; c < rows.Columns(); ++c) {
      if (c) csv += ',';
      csv += CsvField(rows.Get(r, c));
    }
    csv += "\r\n";
  }
  co_return csv;
}

}  // namespace vertice::invoices
