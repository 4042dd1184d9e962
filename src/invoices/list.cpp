#include "invoices/list.hpp"

#include "core/text.hpp"
#include "shared/validation.hpp"

namespace vertice::invoices {

namespace {

// The JSON of one invoice row as lists show it (amounts as strings, never floats); the detail
// (sql::kDetail) adds the parties, taxes, payments and the rest.
constexpr const char* kListItem = R"sql(json_build_object(
  'id', i.invoice_id::text, 'uuid', i.uuid, 'serie', i.serie, 'folio', i.folio,
  'fecha', to_char(i.fecha, 'YYYY-MM-DD"T"HH24:MI:SS'), 'tipo', i.tipo, 'direction', i.direction,
  'status', i.status, 'counterparty', json_build_object('rfc', i.counterparty_rfc, 'nombre', i.counterparty_name),
  'moneda', i.moneda, 'total', cfdi_amount_text(i.total), 'total_mxn', i.total_mxn::text,
  'metodo_pago', i.metodo_pago, 'outstanding', cfdi_amount_text(i.outstanding), 'payment_state', i.payment_state,
  'balance_flags', cardinality(i.balance_flags), 'warnings', jsonb_array_length(i.warnings),
  'seal', json_build_object('state', i.seal_state, 'reason', i.seal_reason)))sql";

bool IsSearchText(const std::string& v, size_t max) { return !v.empty() && v.size() <= max; }

// An RFC matches exactly (the index); any other text is a name fragment or an RFC prefix.
shared::ListFilter Counterparty() {
  return {"counterparty", "debe tener de 1 a 200 caracteres", [](const std::string& v) { return IsSearchText(v, 200); },
          [](const std::string& v, shared::SqlParams& p) {
            auto upper = ToUpperAscii(v);
            if (shared::CheckRfc(upper) != shared::RfcStatus::kInvalid) return "i.counterparty_rfc = " + p.Bind(upper);
            return "(i.counterparty_name ILIKE '%' || " + p.Bind(v) + " || '%' OR i.counterparty_rfc LIKE " +
                   p.Bind(upper) + " || '%')";
          }};
}

// A UUID prefix, a folio, or serie+folio with or without a dash.
shared::ListFilter QuickSearch() {
  return {"q", "debe tener de 1 a 100 caracteres", [](const std::string& v) { return IsSearchText(v, 100); },
          [](const std::string& v, shared::SqlParams& p) {
            auto upper = ToUpperAscii(v);
            return "(i.uuid LIKE " + p.Bind(upper) + " || '%' OR i.folio = " + p.Bind(v) +
                   " OR (i.serie || i.folio) = " + p.Bind(upper) +
                   " OR (i.serie || '-' || i.folio) = " + p.Bind(upper) + ")";
          }};
}

shared::ListSort By(std::string name, const std::string& column, shared::KeyType type, bool descending) {
  return {std::move(name), {{"i." + column, type, descending}, {"i.invoice_id", shared::KeyType::kBigint, descending}}};
}

}  // namespace

const shared::ListDefinition& InvoiceList() {
  using shared::KeyType;
  static const shared::ListDefinition def{
      .source = "sat_invoices i",
      .scope = "i.company_id = vertice_current_company()",
      .item = kListItem,
      .filters = {shared::DateOnOrAfter("from", "i.fecha"), shared::DayOnOrBefore("to", "i.fecha"),
                  shared::EqualsOneOf("tipo", "i.tipo", {"I", "E", "T", "N", "P"}),
                  shared::EqualsOneOf("direction", "i.direction", {"issued", "received"}),
                  shared::EqualsOneOf("status", "i.status", {"vigente", "cancelada", "borrador"}),
                  shared::EqualsOneOf("payment", "i.payment_state", {"paid", "unpaid", "partial"}),
                  shared::EqualsOneOf("seal", "i.seal_state",
                                      {"valid", "invalid", "not_verifiable", "unsigned", "unverified_import"}),
                  Counterparty(), shared::AmountAtLeast("min_total", "i.total_mxn"),
                  shared::AmountAtMost("max_total", "i.total_mxn"), QuickSearch()},
      .sorts = {By("-fecha", "fecha", KeyType::kTimestamp, true), By("fecha", "fecha", KeyType::kTimestamp, false),
                By("-total", "total_mxn", KeyType::kNumeric, true), By("total", "total_mxn", KeyType::kNumeric, false)},
  };
  return def;
}

}  // namespace vertice::invoices
