// Services vertical: contracts with a client, billed monthly (draft → active ⇄ suspended →
// terminated). Its billings are its rows in universal_transactions_mv. Built only from the
// vertical SDK and the shared library; see README.md.
#include <algorithm>
#include <boost/json.hpp>

#include "shared/dal.hpp"
#include "shared/query_string.hpp"
#include "shared/validation.hpp"
#include "verticals/sdk.hpp"

namespace vertice::verticals::services {

namespace json = boost::json;
using shared::ColumnType;

namespace {

const shared::Dal& Contracts() {
  static const shared::Dal dal({"services_contracts",
                                "contract_id",
                                true,
                                {{"client_name", ColumnType::kText},
                                 {"client_rfc", ColumnType::kText, true, true},
                                 {"description", ColumnType::kText},
                                 {"monthly_fee", ColumnType::kMoney},
                                 {"iva_rate", ColumnType::kDecimal},
                                 {"starts_on", ColumnType::kDate},
                                 {"ends_on", ColumnType::kDate},
                                 {"billing_day", ColumnType::kInteger},
                                 {"status", ColumnType::kText, false, true}}});
  return dal;
}

const shared::Dal& Billings() {
  static const shared::Dal dal({"services_billings",
                                "billing_id",
                                false,
                                {{"contract_id", ColumnType::kInteger, false, true},
                                 {"period", ColumnType::kDate, false},
                                 {"billed_on", ColumnType::kDate, false},
                                 {"amount", ColumnType::kMoney, false},
                                 {"status", ColumnType::kText, false}}});
  return dal;
}

const shared::StateMachine& ContractMachine() {
  static const shared::StateMachine machine({"services.contract",
                                             "services_contracts",
                                             "contract_id",
                                             "status",
                                             {{"draft", "activate", "active", {}, {}},
                                              {"active", "suspend", "suspended", {}, {}},
                                              {"suspended", "resume", "active", {}, {}},
                                              {"draft", "terminate", "terminated", {}, {}},
                                              {"active", "terminate", "terminated", {}, {}},
                                              {"suspended", "terminate", "terminated", {}, {}}}});
  return machine;
}

db::Task<Result<http::Response>> List(VerticalRequest& req, const shared::Dal& dal, std::string filter) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto page, IdPage(req.http.query));
  shared::ListOptions options{.limit = page.limit, .after = page.after};
  auto value = shared::QueryValue(req.http.query, filter);
  if (!value.empty()) options.equals[filter] = value;
  auto rows =
      co_await req.ctx.pool.InTransaction(req.scope, [&](db::Transaction& tx) { return dal.List(tx, options); });
  if (!rows) co_return std::unexpected(rows.error());
  co_return Json(200, shared::PageJson(*rows));
}

db::Task<Result<http::Response>> CreateContract(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(req.http.body));
  shared::Values values{{"client_name", body.String("client_name", true, 200)},
                        {"client_rfc", body.String("client_rfc", true, 13)},
                        {"description", body.String("description", false, 1000).value_or("")},
                        {"starts_on", ReadDate(body, "starts_on", true)},
                        {"ends_on", ReadDate(body, "ends_on", false)}};
  if (auto fee = ReadMoney(body, "monthly_fee", true, true)) values["monthly_fee"] = fee->ToString();
  if (auto day = body.Integer("billing_day", true, 1, 28)) values["billing_day"] = std::to_string(*day);
  auto iva = body.String("iva_rate", false, 10).value_or("0.16");
  if (iva != "0.16" && iva != "0.08" && iva != "0") body.Invalid("iva_rate", "debe ser 0.16, 0.08 o 0");
  values["iva_rate"] = iva;
  if (values["client_rfc"] && shared::CheckRfc(*values["client_rfc"]) == shared::RfcStatus::kInvalid)
    body.Invalid("client_rfc", "no es un RFC válido");
  if (values["ends_on"] && values["starts_on"] && *values["ends_on"] < *values["starts_on"])
    body.Invalid("ends_on", "no puede ser anterior a starts_on");
  VERTICE_CO_TRY(body.Finish());
  auto row = co_await req.ctx.pool.InTransaction(req.scope, [&](db::Transaction& tx) -> db::Task<Result<json::object>> {
    VERTICE_CO_ASSIGN_OR_RETURN(auto created, co_await Contracts().Create(tx, values));
    auto id = json::value_to<std::string>(created.at("contract_id"));
    auto after = json::serialize(created);
    VERTICE_CO_TRY(
        co_await shared::RecordAudit(tx, req.actor, "services.contract.created", "services_contract", id, "", after));
    co_return created;
  });
  if (!row) co_return std::unexpected(row.error());
  co_return Json(201, *row);
}

// Who manages contracts (the manifest's "manage": creating them and firing their events).
const std::vector<std::string>& Managers() {
  static const std::vector<std::string> roles = {"owner", "cfo", "accountant"};
  return roles;
}

// A contract with its billings and the lifecycle events `role` may fire from its status now (none
// for a role that may only read: the transitions route needs "manage").
db::Task<Result<json::object>> ContractDetail(db::Transaction& tx, std::string id, std::string_view role) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto contract, co_await Contracts().Get(tx, id));
  json::array events;
  const bool manages = std::find(Managers().begin(), Managers().end(), role) != Managers().end();
  if (const auto* status = contract.if_contains("status"); manages && status && status->is_string())
    for (auto& e : ContractMachine().EventsFrom(status->as_string(), role)) events.emplace_back(std::move(e));
  contract["available_events"] = std::move(events);
  shared::ListOptions billed{.limit = 500, .equals = {{"contract_id", id}}};
  VERTICE_CO_ASSIGN_OR_RETURN(auto billings, co_await Billings().List(tx, billed));
  json::array items;
  for (auto& b : billings.items) items.push_back(std::move(b));
  contract["billings"] = std::move(items);
  co_return contract;
}

db::Task<Result<http::Response>> GetContract(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto id, IdParam(req, "id", "El contrato"));
  auto row = co_await req.ctx.pool.InTransaction(
      req.scope, [&](db::Transaction& tx) { return ContractDetail(tx, std::to_string(id), req.role); });
  if (!row) co_return std::unexpected(row.error());
  co_return Json(200, *row);
}

db::Task<Result<http::Response>> Transition(VerticalRequest& req) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto id, IdParam(req, "id", "El contrato"));
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(req.http.body));
  auto event = body.String("event", true, 20);
  VERTICE_CO_TRY(body.Finish());
  auto row = co_await req.ctx.pool.InTransaction(req.scope, [&](db::Transaction& tx) -> db::Task<Result<json::object>> {
    VERTICE_CO_TRY(co_await ContractMachine().Fire(tx, std::to_string(id), *event, req.role, req.actor));
    co_return co_await ContractDetail(tx, std::to_string(id), req.role);
  });
  if (!row) co_return std::unexpected(row.error());
  co_return Json(200, *row);
}

// Bills what is due today in Mexico City by the clock (what the daily job does), for this company.
db::Task<Result<json::object>> BillDue(db::Transaction& tx, const Clock& clock) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto today, co_await shared::BusinessToday(tx, clock));
  VERTICE_CO_ASSIGN_OR_RETURN(auto rows, co_await tx.Query("SELECT services_bill_due($1::date) AS n", db::P(today)));
  co_return json::object{{"billed", rows.Int(0, "n")}};
}

// Billed per month, client or contract; recurring fees of the contracts by client or status.
const std::map<std::string, NamedReport>& Reports() {
  static const std::map<std::string, NamedReport> reports = [] {
    std::map<std::string, NamedReport> r;
    shared::ReportDefinition billing{"services_billing_facts",
                                     "billed_on",
                                     {{"client", "client"}, {"contract", "contract"}, {"status", "status"}},
                                     {{"billed", "sum(amount)"}, {"billings", "count(*)"}},
                                     {{"client", "client"}, {"contract", "contract"}}};
    r["billing"] = {billing.WithDateBuckets(), "group_by=month&measures=billed,billings&sort=month"};
    shared::ReportDefinition recurring{
        "services_contract_facts",
        "starts_on",
        {{"client", "client"}, {"status", "status"}},
        {{"monthly_fee", "sum(monthly_fee)"}, {"monthly_total", "sum(monthly_total)"}, {"contracts", "count(*)"}},
        {{"client", "client"}, {"status", "status"}}};
    r["recurring"] = {recurring,
                      "group_by=client&measures=monthly_fee,monthly_total,contracts&filter.status=active"
                      "&sort=-monthly_fee"};
    return r;
  }();
  return reports;
}

}  // namespace

VerticalManifest Manifest() {
  VerticalManifest m;
  m.name = "services";
  m.version = "1.0.0";
  m.title = "Servicios";
  m.description = "Contratos de servicio con cuota mensual y facturación recurrente.";
  m.permissions = {{"read", {"owner", "ceo", "cfo", "accountant", "viewer"}}, {"manage", Managers()}};
  m.routes = {
      {"GET", "/contracts", "read", [](VerticalRequest& r) { return List(r, Contracts(), "status"); }},
      {"POST", "/contracts", "manage", CreateContract},
      {"GET", "/contracts/{id}", "read", GetContract},
      {"POST", "/contracts/{id}/transitions", "manage", Transition},
      {"GET", "/billings", "read", [](VerticalRequest& r) { return List(r, Billings(), "contract_id"); }},
      {"GET", "/reports/{name}", "read", [](VerticalRequest& r) { return ReportPage(r, Reports()); }},
      {"POST", "/billings/run", "manage",
       [](VerticalRequest& r) -> db::Task<Result<http::Response>> {
         const Clock& clock = r.ctx.clock;
         auto billed =
             co_await r.ctx.pool.InTransaction(r.scope, [&](db::Transaction& tx) { return BillDue(tx, clock); });
         if (!billed) co_return std::unexpected(billed.error());
         co_return Json(200, *billed);
       }},
  };
  m.machines = {&ContractMachine()};
  m.jobs = {{"services.monthly_billing", "15 * * * *", [](db::Transaction& tx, const Clock& clock) -> db::Task<Status> {
               VERTICE_CO_TRY(co_await BillDue(tx, clock));
               co_return Status{};
             }}};
  m.transaction_types = {"service_billing"};
  return m;
}

}  // namespace vertice::verticals::services
