#include "invoices/lifecycle.hpp"

#include "core/text.hpp"
#include "invoices/queries.hpp"

namespace vertice::invoices {

namespace {

Error InvoiceNotFound() { return NotFound("La factura no existe."); }

Error Refuse(std::string_view state, std::string_view) {
  if (state == "cancelada")
    return Error{ErrorKind::kConflict, "invoices.already_cancelled", "La factura ya está cancelada.", {}, {}};
  return Error{ErrorKind::kConflict,
               "invoices.not_cancellable",
               "Solo se cancela un comprobante vigente (estado: " + std::string(state) + ").",
               {},
               {}};
}

}  // namespace

const shared::StateMachine& InvoiceMachine() {
  static const shared::StateMachine machine(
      {"invoices.invoice",
       "sat_invoices",
       "uuid",
       "status",
       {{"vigente",
         "cancel",
         "cancelada",
         {},
         {},
         {"cancelled_at = coalesce($5::timestamptz, now())", "cancel_reason = $6"},
         "invoice.cancelled"}},
       Refuse,
       "La factura no existe."});
  return machine;
}

std::optional<InvoiceKey> ParseInvoiceKey(std::string_view id) {
  if (IsUuid(id)) return InvoiceKey{InvoiceKey::Kind::kUuid, ToUpperAscii(id)};
  if (IsRowId(id)) return InvoiceKey{InvoiceKey::Kind::kRowId, std::string(id)};
  return std::nullopt;
}

db::Task<Result<std::string>> Detail(db::Transaction& tx, InvoiceKey key) {
  std::string sql = sql::kDetail;
  sql += key.kind == InvoiceKey::Kind::kUuid ? sql::kByUuid : sql::kById;
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query(sql, db::P(key.value)));
  if (rows.Empty()) co_return std::unexpected(InvoiceNotFound());
  co_return rows.Str(0, "j");
}

std::string CancelReasonText(const Cancellation& c) {
  if (!c.motivo) return c.reason;
  std::string out = "Motivo " + *c.motivo;
  if (c.substitute_uuid) out += " (sustituye " + ToUpperAscii(*c.substitute_uuid) + ")";
  return out + ": " + c.reason;
}

db::Task<Result<std::string>> Cancel(db::Transaction& tx, shared::Actor actor, std::string role, Cancellation c) {
  const std::string reason = CancelReasonText(c);
  shared::FireDetails details;
  details.values = db::P(c.cancelled_at, reason);
  details.audit_note["reason"] = reason;
  VERTICE_CO_TRY(co_await InvoiceMachine().Fire(tx, c.uuid, "cancel", role, actor, std::move(details)));
  VERTICE_CO_ASSIGN_OR_RETURN(auto id, co_await tx.Query(sql::kInvoiceIdByUuid, db::P(c.uuid)));
  const std::string invoice_id = id.Str(0, "id");
  VERTICE_CO_TRY(co_await tx.Query(sql::kRefreshBalancesAfterCancel, db::P(invoice_id, c.uuid)));
  const InvoiceKey key{InvoiceKey::Kind::kUuid, c.uuid};
  co_return co_await Detail(tx, key);
}

}  // namespace vertice::invoices
