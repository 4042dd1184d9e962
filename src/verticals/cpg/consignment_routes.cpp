// Consignments: goods delivered to a point of sale and paid for as they sell. Quantities and
// amounts always reconcile: sold + returned ≤ delivered per line (also a CHECK in the table),
// settled ≤ due (sold − the retailer's commission), and every status change goes through the
// status machine (history and audit in the same transaction).
#include <fmt/format.h>

#include <boost/json.hpp>

#include "core/text.hpp"
#include "db/constraints.hpp"
#include "http/error_response.hpp"
#include "shared/query_string.hpp"
#include "shared/validation.hpp"
#include "verticals/cpg/cpg.hpp"
#include "verticals/cpg/lists.hpp"
#include "verticals/cpg/pricing.hpp"
#include "verticals/cpg/queries.hpp"
#include "verticals/sdk.hpp"

namespace vertice::verticals::cpg {

namespace json = boost::json;
using shared::Money;
using shared::Quantity;

namespace {

Error ConsignmentNotFound() { return NotFound("La consignación no existe."); }

// The consignment tables' constraints a request can break, in the vertical's words (db::Remap).
constexpr db::ConstraintError kConstraints[] = {
    {"cpg_consignments_company_id_folio_key", ErrorKind::kConflict, "cpg.duplicate_folio",
     "Ya existe una consignación con ese folio."},
    {"cpg_consignment_lines_check", ErrorKind::kBusinessRule, "cpg.quantities_exceed_delivered",
     "Lo vendido más lo devuelto no puede exceder lo entregado."},
};

struct Header {
  std::string status;
  shared::Rate commission_rate;
  Money amount_due, settled;
};

// The consignment's row, locked until the transaction ends (requests on it queue up).
db::Task<Result<Header>> LockHeader(db::Transaction& tx, int64_t id) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query(sql::kLockConsignment, db::P(std::to_string(id))));
  if (rows.Empty()) co_return std::unexpected(ConsignmentNotFound());
  co_return Header{rows.Str(0, "status"), DecimalAt<shared::Rate>(rows, 0, "commission_rate"),
                   DecimalAt<Money>(rows, 0, "amount_due"), DecimalAt<Money>(rows, 0, "settled")};
}

struct Totals {
  Money delivered, sold, returned, commission, due;
  bool accounted = true;  // every unit delivered is sold or returned
};

// Recomputes the header's amounts from its lines (line by line, half up, as priced). What was
// already settled must stay covered by what is sold.
db::Task<Result<Totals>> Recompute(db::Transaction& tx, int64_t id, const Header& header) {
  const auto& commission_rate = header.commission_rate;
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query(sql::kConsignmentLineFigures, db::P(std::to_string(id))));
  Totals t;
  auto add = [](Money& sum, Quantity q, shared::UnitPrice p, shared::Rate r) -> Status {
    VERTICE_ASSIGN_OR_RETURN(auto line, PriceLine(q, p, r));
    VERTICE_ASSIGN_OR_RETURN(auto total, line.Total());
    VERTICE_ASSIGN_OR_RETURN(sum, sum.Add(total));
    return Status{};
  };
  for (int i = 0; i < rows.Size(); ++i) {
    auto d = DecimalAt<Quantity>(rows, i, "d"), s = DecimalAt<Quantity>(rows, i, "s"),
         r = DecimalAt<Quantity>(rows, i, "r");
    auto p = DecimalAt<shared::UnitPrice>(rows, i, "p");
    auto rate = DecimalAt<shared::Rate>(rows, i, "t");
    VERTICE_CO_TRY(add(t.delivered, d, p, rate));
    VERTICE_CO_TRY(add(t.sold, s, p, rate));
    VERTICE_CO_TRY(add(t.returned, r, p, rate));
    if (s.Units() + r.Units() != d.Units()) t.accounted = false;
  }
  VERTICE_CO_ASSIGN_OR_RETURN(t.commission, t.sold.Mul(commission_rate, shared::Rounding::kHalfUp));
  VERTICE_CO_ASSIGN_OR_RETURN(t.due, t.sold.Sub(t.commission));
  if (t.due < header.settled)
    co_return std::unexpected(BusinessRule(
        "cpg.settled_exceeds_sold", "Ya se cobró más de lo que quedaría vendido; corrija primero los pagos.",
        json::object{{"settled", header.settled.ToString()}, {"amount_due", t.due.ToString()}}));
  VERTICE_CO_TRY(co_await tx.Query(sql::kUpdateConsignmentTotals,
                                   db::P(std::to_string(id), t.delivered.ToString(), t.sold.ToString(),
                                         t.returned.ToString(), t.commission.ToString(), t.due.ToString())));
  co_return t;
}

// After quantities change: everything back and nothing owed → returned; everything accounted for
// and paid → settled; otherwise the report itself is what history records.
std::string EventAfterReport(const Totals& t, Money settled) {
  if (t.accounted && t.due.IsZero() && settled.IsZero()) return "return";
  if (t.accounted && !t.due.IsZero() && settled == t.due) return "settle";
  return "report";
}

// What `role` may do next from each status (settlements have their own route), as the JSON
// object the detail statement picks the consignment's status from.
std::string EventsByStatus(std::string_view role) {
  json::object out;
  for (const auto& t : ConsignmentMachine().Spec().transitions) {
    if (out.contains(t.from)) continue;
    json::array events;
    for (const auto& e : ConsignmentMachine().EventsFrom(t.from, role))
      if (e != "settle" && e != "settle_partial") events.push_back(json::value(e));
    out[t.from] = std::move(events);
  }
  return json::serialize(out);
}

// The consignment as the API shows it, built by PostgreSQL in one round trip (sql::kConsignmentDetail)
// and sent as PostgreSQL wrote it.
db::Task<Result<std::string>> Detail(db::Transaction& tx, int64_t id, std::string role) {
  const std::string id_text = std::to_string(id);
  const std::string events = EventsByStatus(role);
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query(sql::kConsignmentDetail, db::P(id_text, events)));
  if (rows.Empty()) co_return std::unexpected(ConsignmentNotFound());
  co_return rows.Str(0, "detail");
}

db::Task<Result<http::Response>> CreateConsignment(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(req.http.body));
  auto pos_id = body.Integer("pos_id", true, 1, INT64_MAX);
  auto folio = body.String("folio", false, 40);
  auto consigned_on = ReadDate(body, "consigned_on", false);
  auto notes = body.String("notes", false, 2000);
  auto lines = ReadLines(body);
  if (folio && !IsCode(*folio, 40, "._/-")) body.Invalid("folio", "solo letras, dígitos y . _ / - (hasta 40)");
  VERTICE_CO_TRY(body.Finish());

  const auto authority = PriceAuthorityFor(req.role, req.ctx.config);

  co_return co_await IdempotentWrite(
      req, IdempotencyKeys(), [&](db::Transaction& tx) -> db::Task<Result<http::Response>> {
        VERTICE_CO_ASSIGN_OR_RETURN(auto pos, co_await LoadPosAndProducts(tx, *pos_id, lines));
        if (!pos.found) co_return std::unexpected(BusinessRule("cpg.unknown_pos", "El punto de venta no existe."));
        if (!pos.active)
          co_return std::unexpected(BusinessRule("cpg.pos_inactive", "El punto de venta está inactivo."));
        VERTICE_CO_ASSIGN_OR_RETURN(auto priced, PriceLines(lines, pos.products, authority, PriceBasis::kNet));
        json::array rows;
        Money delivered;
        for (size_t i = 0; i < priced.size(); ++i) {
          const auto& l = priced[i];
          VERTICE_CO_ASSIGN_OR_RETURN(auto total, l.amount.Total());
          VERTICE_CO_ASSIGN_OR_RETURN(delivered, delivered.Add(total));
          rows.push_back(json::object{{"line_no", i + 1},
                                      {"product_id", std::to_string(l.product->id)},
                                      {"qty", l.quantity.ToString()},
                                      {"price", l.unit_price.ToString()},
                                      {"rate", l.product->iva_rate.ToString()}});
        }
        std::optional<std::string> day = consigned_on;
        if (!day) {
          VERTICE_CO_ASSIGN_OR_RETURN(day, co_await shared::BusinessToday(tx, req.ctx.clock));
        }
        auto inserted = co_await tx.Query(
            sql::kInsertConsignment,
            db::P(folio, std::to_string(*pos_id), *day, pos.commission_rate.ToString(), delivered.ToString(),
                  notes.value_or(""), json::serialize(rows), EventsByStatus(req.role)));
        if (!inserted) co_return std::unexpected(db::Remap(inserted.error(), kConstraints));
        auto id = inserted->Int(0, "consignment_id");
        json::object audit;
        audit["lines"] = rows;
        auto audit_text = json::serialize(audit);
        auto id_text = std::to_string(id);
        VERTICE_CO_TRY(co_await shared::RecordAudit(tx, req.actor, "cpg.consignment.created", "cpg_consignment",
                                                    id_text, "", audit_text));
        VERTICE_CO_TRY(co_await AuditPriceChanges(tx, req.actor, req.role, "cpg.consignment.price_changed",
                                                  "cpg_consignment", id_text, priced));
        co_return http::JsonResponse(201, inserted->Str(0, "detail"));
      });
}

db::Task<Result<http::Response>> ListConsignments(VerticalRequest& req) { return ListPage(req, ConsignmentList()); }

db::Task<Result<http::Response>> GetConsignment(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto id, IdParam(req, "id", "La consignación"));
  auto detail =
      co_await req.ctx.pool.InTransaction(req.scope, [&](db::Transaction& tx) { return Detail(tx, id, req.role); });
  if (!detail) co_return std::unexpected(detail.error());
  co_return http::JsonResponse(200, std::move(*detail));
}

struct ReportLine {
  int64_t line_no = 0;
  std::optional<Quantity> sold, returned;
};

db::Task<Result<http::Response>> Transition(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto id, IdParam(req, "id", "La consignación"));
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(req.http.body));
  auto event = body.String("event", true, 20);
  auto delivered_on = ReadDate(body, "delivered_on", false);
  std::vector<ReportLine> lines;
  for (auto* line : body.Objects("lines", false, 500)) {
    ReportLine l;
    l.line_no = line->Integer("line_no", true, 1, 100000).value_or(0);
    l.sold = ReadQuantity(*line, "sold", false, false);
    l.returned = ReadQuantity(*line, "returned", false, false);
    lines.push_back(l);
  }
  if (event && *event != "deliver" && *event != "report" && *event != "return" && *event != "cancel")
    body.Invalid("event", "debe ser deliver, report, return o cancel");
  if (event && *event == "report" && lines.empty())
    body.Invalid("lines", "report necesita las cantidades vendidas o devueltas");
  if (event && *event != "report" && !lines.empty()) body.Invalid("lines", "solo report lleva cantidades");
  if (event && *event != "deliver" && delivered_on) body.Invalid("delivered_on", "solo deliver lleva fecha de entrega");
  VERTICE_CO_TRY(body.Finish());
  const auto& machine = ConsignmentMachine();

  auto result =
      co_await req.ctx.pool.InTransaction(req.scope, [&](db::Transaction& tx) -> db::Task<Result<std::string>> {
        VERTICE_CO_ASSIGN_OR_RETURN(auto header, co_await LockHeader(tx, id));
        auto id_text = std::to_string(id);
        if (*event == "deliver") {
          VERTICE_CO_TRY(co_await machine.Fire(tx, id_text, "deliver", req.role, req.actor));
          std::optional<std::string> day = delivered_on;
          if (!day) {
            VERTICE_CO_ASSIGN_OR_RETURN(day, co_await shared::BusinessToday(tx, req.ctx.clock));
          }
          VERTICE_CO_TRY(co_await tx.Query(sql::kSetDeliveredOn, db::P(id_text, *day)));
        } else if (*event == "cancel") {
          VERTICE_CO_TRY(machine.Find(header.status, "cancel", req.role));
          VERTICE_CO_ASSIGN_OR_RETURN(auto sold, co_await tx.Query(sql::kConsignmentAnySold, db::P(id_text)));
          if (sold.Bool(0, "any_sold") || !header.settled.IsZero())
            co_return std::unexpected(BusinessRule("cpg.consignment_has_sales",
                                                   "La consignación ya tiene ventas o pagos; no se puede cancelar."));
          VERTICE_CO_TRY(co_await machine.Fire(tx, id_text, "cancel", req.role, req.actor));
        } else {
          // report / return: only while the goods are at the point of sale.
          VERTICE_CO_TRY(machine.Find(header.status, "report", req.role));
          if (*event == "return") {
            VERTICE_CO_TRY(co_await tx.Query(sql::kReturnUnsold, db::P(id_text)));
          } else {
            json::array changes;
            for (const auto& l : lines) {
              json::object c{{"line_no", l.line_no}};
              c["sold"] = l.sold ? json::value(l.sold->ToString()) : json::value(nullptr);
              c["returned"] = l.returned ? json::value(l.returned->ToString()) : json::value(nullptr);
              changes.push_back(std::move(c));
            }
            // Cumulative quantities per line; the table's CHECK keeps sold + returned ≤ delivered.
            auto updated = co_await tx.Query(sql::kReportQuantities, db::P(id_text, json::serialize(changes)));
            if (!updated) co_return std::unexpected(db::Remap(updated.error(), kConstraints));
            if (updated->Size() != static_cast<int>(lines.size()))
              co_return std::unexpected(
                  BusinessRule("cpg.unknown_line", "Alguna línea indicada no existe en la consignación."));
          }
          VERTICE_CO_ASSIGN_OR_RETURN(auto totals, co_await Recompute(tx, id, header));
          auto next_event = EventAfterReport(totals, header.settled);
          VERTICE_CO_TRY(co_await machine.Fire(tx, id_text, next_event, req.role, req.actor));
        }
        co_return co_await Detail(tx, id, req.role);
      });
  if (!result) co_return std::unexpected(result.error());
  co_return http::JsonResponse(200, std::move(*result));
}

db::Task<Result<http::Response>> Settle(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto id, IdParam(req, "id", "La consignación"));
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(req.http.body));
  auto amount = ReadMoney(body, "amount", true, true);
  auto paid_on = ReadDate(body, "paid_on", false);
  auto method = body.String("method", true, 20);
  auto reference = body.String("reference", false, 100);
  auto cfdi_uuid = body.String("cfdi_uuid", false, 36);
  if (method && *method != "cash" && *method != "transfer" && *method != "check" && *method != "card" &&
      *method != "compensation")
    body.Invalid("method", "debe ser cash, transfer, check, card o compensation");
  if (cfdi_uuid && !shared::IsValidCfdiUuid(*cfdi_uuid)) body.Invalid("cfdi_uuid", "no es un UUID de CFDI válido");
  VERTICE_CO_TRY(body.Finish());
  std::optional<std::string> uuid;
  if (cfdi_uuid) uuid = ToUpperAscii(*cfdi_uuid);
  const auto& machine = ConsignmentMachine();
  co_return co_await IdempotentWrite(
      req, IdempotencyKeys(), [&](db::Transaction& tx) -> db::Task<Result<http::Response>> {
        VERTICE_CO_ASSIGN_OR_RETURN(auto header, co_await LockHeader(tx, id));
        VERTICE_CO_TRY(machine.Find(header.status, "settle_partial", req.role));
        VERTICE_CO_ASSIGN_OR_RETURN(auto balance, header.amount_due.Sub(header.settled));
        if (*amount > balance)
          co_return std::unexpected(
              BusinessRule("cpg.settlement_exceeds_balance",
                           fmt::format("El pago excede el saldo por cobrar ({}).", balance.ToString()),
                           json::object{{"balance", balance.ToString()}, {"amount", amount->ToString()}}));
        std::optional<std::string> day = paid_on;
        if (!day) {
          VERTICE_CO_ASSIGN_OR_RETURN(day, co_await shared::BusinessToday(tx, req.ctx.clock));
        }
        auto id_text = std::to_string(id);
        VERTICE_CO_ASSIGN_OR_RETURN(
            auto inserted, co_await tx.Query(sql::kInsertSettlement, db::P(id_text, amount->ToString(), *day, *method,
                                                                           reference.value_or(""), uuid)));
        auto settled = DecimalAt<Money>(inserted, 0, "settled");
        VERTICE_CO_ASSIGN_OR_RETURN(auto open, co_await tx.Query(sql::kConsignmentAccounted, db::P(id_text)));
        bool done = open.Bool(0, "accounted") && settled == header.amount_due;
        std::string next_event = done ? "settle" : "settle_partial";
        VERTICE_CO_TRY(co_await machine.Fire(tx, id_text, next_event, req.role, req.actor));
        json::object audit;
        audit["settlement_id"] = inserted.Str(0, "settlement_id");
        audit["amount"] = amount->ToString();
        audit["method"] = *method;
        auto audit_text = json::serialize(audit);
        VERTICE_CO_TRY(co_await shared::RecordAudit(tx, req.actor, "cpg.consignment.settled", "cpg_consignment",
                                                    id_text, "", audit_text));
        VERTICE_CO_ASSIGN_OR_RETURN(auto detail, co_await Detail(tx, id, req.role));
        co_return http::JsonResponse(201, std::move(detail));
      });
}

}  // namespace

std::vector<VerticalRoute> ConsignmentRoutes() {
  return {
      {"POST", "/consignment", "consign", CreateConsignment},
      {"GET", "/consignment", "read", ListConsignments},
      {"GET", "/consignment/{id}", "read", GetConsignment},
      {"POST", "/consignment/{id}/transitions", "consign", Transition},
      {"POST", "/consignment/{id}/settlements", "settle", Settle},
  };
}

}  // namespace vertice::verticals::cpg
