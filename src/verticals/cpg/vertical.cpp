// The CPG retail vertical's manifest: permissions, routes, the consignment status machine and
// what it adds to universal_transactions_mv (sql/universal_contribution.sql).
#include "verticals/cpg/cpg.hpp"

#include <boost/json.hpp>

#include "shared/decimal.hpp"

namespace vertice::verticals::cpg {

const shared::StateMachine& ConsignmentMachine() {
  // Quantities and amounts decide which event a change fires (consignment_routes.cpp); the
  // guards there keep sold + returned ≤ delivered and settled ≤ due.
  static const shared::StateMachine machine({"cpg.consignment",
                                             "cpg_consignments",
                                             "consignment_id",
                                             "status",
                                             {
                                                 {"draft", "deliver", "delivered", {}, {}},
                                                 {"draft", "cancel", "cancelled", {}, {}},
                                                 {"delivered", "report", "delivered", {}, {}},
                                                 {"delivered", "return", "returned", {}, {}},
                                                 {"delivered", "settle_partial", "partially_settled", {}, {}},
                                                 {"delivered", "settle", "settled", {}, {}},
                                                 {"delivered", "cancel", "cancelled", {"owner", "ceo", "cfo"}, {}},
                                                 {"partially_settled", "report", "partially_settled", {}, {}},
                                                 {"partially_settled", "settle_partial", "partially_settled", {}, {}},
                                                 {"partially_settled", "settle", "settled", {}, {}},
                                             }});
  return machine;
}

const shared::IdempotencyStore& IdempotencyKeys() {
  static const shared::IdempotencyStore store{"cpg_idempotency_keys", std::chrono::hours(24)};
  return store;
}

namespace {

// A rate as the configuration carries it: text, from 0 to below 1 (or to 1 inclusive).
bool IsConfigRate(const boost::json::value& value, bool up_to_one) {
  auto rate = value.is_string() ? shared::Rate::Parse(value.as_string()) : std::unexpected(Error{});
  if (!rate || rate->IsNegative()) return false;
  return up_to_one ? rate->Units() <= shared::Rate::kOne : rate->Units() < shared::Rate::kOne;
}

}  // namespace

VerticalManifest Manifest() {
  VerticalManifest m;
  m.name = "cpg";
  m.version = "1.0.0";
  m.title = "Retail CPG";
  m.description = "Productos de consumo en puntos de venta: ventas de mostrador y consignación.";
  m.permissions = {
      {"read", {"owner", "ceo", "cfo", "accountant", "cashier", "viewer"}},
      {"manage", {"owner", "ceo", "cfo"}},
      {"sell", {"owner", "ceo", "cfo", "cashier"}},
      {"consign", {"owner", "ceo", "cfo", "accountant"}},
      {"settle", {"owner", "cfo", "accountant"}},
      {"report", {"owner", "ceo", "cfo", "accountant", "viewer"}},
  };
  for (auto routes : {CatalogRoutes(), ConsignmentRoutes(), ReportRoutes()})
    for (auto& r : routes) m.routes.push_back(std::move(r));
  m.machines = {&ConsignmentMachine()};
  // A company's configuration: the commission new points of sale get when none is given, and the
  // largest discount below the catalog price that roles other than owner, CEO and CFO may give
  // (pricing.hpp, PriceAuthority; 0: cashiers charge the catalog price).
  m.default_config = {{"default_commission_rate", "0.000000"}, {"max_discount_rate", "0.000000"}};
  m.validate_config = [](const boost::json::object& config) -> Status {
    for (const auto& [key, value] : config) {
      if (key == "default_commission_rate") {
        if (!IsConfigRate(value, false))
          return Fail(ErrorKind::kInvalidInput, "invalid_config",
                      "default_commission_rate debe ser una tasa entre 0 y 1, como texto (\"0.10\")");
      } else if (key == "max_discount_rate") {
        if (!IsConfigRate(value, true))
          return Fail(ErrorKind::kInvalidInput, "invalid_config",
                      "max_discount_rate debe ser una tasa de 0 a 1, como texto (\"0.10\" es 10 %)");
      } else {
        return Fail(ErrorKind::kInvalidInput, "invalid_config", "clave desconocida: " + std::string(key));
      }
    }
    return Status{};
  };
  // Housekeeping: idempotency keys older than 24 h are deleted, hourly, company by company.
  m.jobs = {{"cpg.idempotency_keys_expiry", "40 * * * *", [](db::Transaction& tx, const Clock&) -> db::Task<Status> {
               VERTICE_CO_TRY(co_await shared::DeleteExpiredIdempotencyKeys(tx, IdempotencyKeys()));
               co_return Status{};
             }}};
  m.transaction_types = {"pos_sale", "consignment_settlement"};
  return m;
}

}  // namespace vertice::verticals::cpg
