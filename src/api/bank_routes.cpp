// /api/v1/bank: the company's bank accounts, statement import (raw body or multipart, every
// format of bank/parse.hpp) with a per-file report, statements, and movements with filters and
// keyset pagination.
#include <boost/json.hpp>

#include "api/app.hpp"
#include "banking/list.hpp"
#include "banking/queries.hpp"
#include "banking/statement_importer.hpp"
#include "core/field_errors.hpp"
#include "core/text.hpp"
#include "db/constraints.hpp"
#include "http/error_response.hpp"
#include "http/json_body.hpp"
#include "http/multipart.hpp"
#include "shared/dal.hpp"
#include "shared/query_string.hpp"
#include "shared/validation.hpp"

namespace vertice::api {

namespace json = boost::json;
using shared::ColumnType;

namespace {

constexpr size_t kMaxFilesPerRequest = 50;

const shared::Dal& Accounts() {
  static const shared::Dal dal({"bank_accounts",
                                "account_id",
                                false,
                                {{"name", ColumnType::kText},
                                 {"bank", ColumnType::kText},
                                 {"clabe", ColumnType::kText, true, true},
                                 {"account_number", ColumnType::kText},
                                 {"currency", ColumnType::kText, true, true},
                                 {"created_at", ColumnType::kTimestamp, false}}});
  return dal;
}

// An account is unique by CLABE and by number within the company (partial unique indexes).
constexpr db::ConstraintError kAccountConstraints[] = {
    {"bank_accounts_clabe_key", ErrorKind::kConflict, "bank.account_exists",
     "Ya existe una cuenta con esa CLABE o número."},
    {"bank_accounts_number_key", ErrorKind::kConflict, "bank.account_exists",
     "Ya existe una cuenta con esa CLABE o número."},
};

// ---- accounts -------------------------------------------------------------------------------

db::Task<Result<http::Response>> CreateAccount(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
  auto name = body.String("name", true, 120);
  auto bank = body.String("bank", false, 80);
  auto clabe = body.String("clabe", false, 18);
  auto number = body.String("account_number", false, 64);
  auto currency = body.String("currency", false, 3);
  if (clabe && !shared::IsValidClabe(*clabe))
    body.Invalid("clabe", "no es una CLABE válida (18 dígitos con dígito verificador)");
  if (currency && !shared::IsIso4217(*currency)) body.Invalid("currency", "no es un código de moneda ISO 4217");
  if (!clabe && !number) body.Invalid("clabe", "indique la CLABE o el número de cuenta");
  if (number && (number->empty() ||
                 number->find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -/") !=
                     std::string::npos))
    body.Invalid("account_number", "solo letras, dígitos, espacios, guiones y diagonales");
  std::string bank_name = bank.value_or("");
  if (bank_name.empty() && clabe && shared::IsValidClabe(*clabe))
    if (auto known = shared::ClabeBankName(*clabe)) bank_name = std::string(*known);
  if (bank_name.empty() && !bank) body.Invalid("bank", "indique el banco (no se deduce sin CLABE)");
  VERTICE_CO_TRY(body.Finish());
  shared::Values values{{"name", *name},
                        {"bank", bank_name},
                        {"clabe", clabe},
                        {"account_number", number},
                        {"currency", currency.value_or("MXN")}};
  auto created =
      co_await app.Deps().pool.InTransaction(ctx.Scope(), [&](db::Transaction& tx) -> db::Task<Result<json::object>> {
        VERTICE_CO_ASSIGN_OR_RETURN(auto row, co_await Accounts().Create(tx, values));
        VERTICE_CO_TRY(co_await shared::RecordAudit(tx, ctx.Actor(), "bank.account_created", "bank_account",
                                                    json::value_to<std::string>(row.at("account_id")), {},
                                                    json::serialize(row)));
        co_return row;
      });
  if (!created) co_return std::unexpected(db::Remap(created.error(), kAccountConstraints));
  co_return Json(201, *created);
}

db::Task<Result<http::Response>> ListAccounts(App& app, RequestContext& ctx) {
  auto page = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return Accounts().List(tx, shared::ListOptions{.limit = 200}); });
  if (!page) co_return std::unexpected(page.error());
  json::array items;
  for (auto& i : page->items) items.push_back(std::move(i));
  co_return Json(200, json::object{{"items", std::move(items)}});
}

// ---- statement import ----------------------------------------------------------------------

struct ImportOptions {
  bank::Format format = bank::Format::kAuto;
  std::string profile;
  std::optional<int64_t> account_id;
  std::string override_reason;
};

Result<ImportOptions> ReadImportOptions(const http::Request& req) {
  FieldErrors errors;
  ImportOptions o;
  VERTICE_ASSIGN_OR_RETURN(auto q, shared::ParseQueryString(req.query));
  for (const auto& [key, value] : q) {
    if (key == "format") {
      auto f = bank::FormatFromName(value);
      if (errors.Check(f.has_value(), key, "debe ser auto, csv, camt053, mt940 u ofx")) o.format = *f;
    } else if (key == "profile") {
      if (errors.Check(!value.empty() && value.size() <= 64, key, "debe tener de 1 a 64 caracteres")) o.profile = value;
    } else if (key == "account_id") {
      if (errors.Check(IsRowId(value), key, "debe ser el id de una cuenta")) o.account_id = std::stoll(value);
    } else if (key == "override_balance_reason") {
      if (errors.Check(!value.empty() && value.size() <= 500, key, "debe explicar el motivo (1 a 500 caracteres)"))
        o.override_reason = value;
    } else if (key != "file_name") {  // file_name: read by the handler for a raw body
      errors.Add(key, "unknown_field", "no es un parámetro conocido");
    }
  }
  VERTICE_TRY(errors.ToStatus());
  return o;
}

db::Task<Result<http::Response>> ImportStatements(App& app, RequestContext& ctx, const banking::Profiles& profiles) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto options, ReadImportOptions(ctx.request));
  std::string body_name = shared::QueryValue(ctx.request.query, "file_name");
  if (body_name.empty()) body_name = "estado-de-cuenta";
  VERTICE_CO_ASSIGN_OR_RETURN(auto files,
                              http::UploadedFiles(ctx.request.Header("content-type"), ctx.request.body, body_name));
  if (files.empty())
    co_return Fail(ErrorKind::kInvalidInput, "bank.no_file", "Envíe el estado de cuenta en el cuerpo o como archivo.");
  if (files.size() > kMaxFilesPerRequest)
    co_return Fail(ErrorKind::kPayloadTooLarge, "bank.too_many_files",
                   "Demasiados archivos en una solicitud (máximo 50).");
  banking::StatementImporter importer(app.Deps().pool, ctx.Scope(), ctx.Actor(), "api", profiles.user);
  json::array reports;
  banking::ImportTotals totals;
  std::optional<banking::FileReport> only;
  for (auto& [name, bytes] : files) {
    banking::ImportRequest req;
    req.file_name = name;
    req.bytes = bytes;
    req.format = options.format;
    req.profile = options.profile;
    req.account_id = options.account_id;
    req.balance_override_reason = options.override_reason;
    VERTICE_CO_ASSIGN_OR_RETURN(auto report, co_await importer.Import(std::move(req)));
    totals.Add(report);
    reports.push_back(banking::FileReportJson(report));
    if (files.size() == 1) only = std::move(report);
  }
  json::object body{{"summary", json::object{{"files", files.size()},
                                             {"rejected_files", totals.rejected_files},
                                             {"new", totals.new_lines},
                                             {"duplicate", totals.duplicate_lines},
                                             {"rejected", totals.rejected_lines}}},
                    {"files", std::move(reports)}};
  // One file refused whole: the request failed, with the report in the error's details.
  if (only && only->status == banking::FileStatus::kRejected) {
    Error e = only->error.value_or(Error{ErrorKind::kBusinessRule,
                                         "bank.statement_rejected",
                                         "Ningún estado de cuenta del archivo se importó.",
                                         {},
                                         {}});
    if (e.kind != ErrorKind::kInvalidInput) e.kind = ErrorKind::kBusinessRule;
    e.details = std::move(body);
    co_return std::unexpected(e);
  }
  co_return Json(totals.new_lines > 0 ? 201 : 200, body);
}

// ---- statements and movements --------------------------------------------------------------

db::Task<Result<http::Response>> GetMovement(App& app, RequestContext& ctx) {
  const std::string id = ctx.params.at("id");
  if (!IsRowId(id)) co_return std::unexpected(NotFound("El movimiento no existe."));
  auto rows = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return tx.Query(banking::sql::kMovementDetail, db::P(id)); });
  if (!rows) co_return std::unexpected(rows.error());
  if (rows->Empty()) co_return std::unexpected(NotFound("El movimiento no existe."));
  co_return http::JsonResponse(200, rows->Str(0, "j"));
}

db::Task<Result<http::Response>> ListProfiles(const banking::Profiles& profiles) {
  json::array items;
  auto add = [&](const bank::CsvProfile& p, const char* origin) {
    items.push_back(json::object{{"name", p.name}, {"summary", p.summary}, {"origin", origin}});
  };
  for (const auto& p : profiles.user) add(p, "configuration");
  for (const auto& p : bank::BuiltinCsvProfiles()) add(p, "built_in");
  co_return Json(200, json::object{{"items", std::move(items)}});
}

}  // namespace

void RegisterBankRoutes(App& app, const banking::Profiles& profiles) {
  app.Add("GET", "/api/v1/bank/accounts",
          {[&app](RequestContext& ctx) { return ListAccounts(app, ctx); }, Access::kCompany, app.Can("bank.read")});
  app.Add("POST", "/api/v1/bank/accounts",
          {[&app](RequestContext& ctx) { return CreateAccount(app, ctx); }, Access::kCompany,
           app.Can("bank.accounts.manage")});
  app.Add("POST", "/api/v1/bank/statements",
          {[&app, &profiles](RequestContext& ctx) { return ImportStatements(app, ctx, profiles); }, Access::kCompany,
           app.Can("bank.import"), false, Budget::kLong, true});
  app.Add("GET", "/api/v1/bank/statements",
          {[&app](RequestContext& ctx) { return ListPage(app, ctx, banking::StatementList()); }, Access::kCompany,
           app.Can("bank.read")});
  app.Add("GET", "/api/v1/bank/movements",
          {[&app](RequestContext& ctx) { return ListPage(app, ctx, banking::MovementList()); }, Access::kCompany,
           app.Can("bank.read")});
  app.Add("GET", "/api/v1/bank/movements/{id}",
          {[&app](RequestContext& ctx) { return GetMovement(app, ctx); }, Access::kCompany, app.Can("bank.read")});
  app.Add("GET", "/api/v1/bank/csv-profiles",
          {[&profiles](RequestContext&) { return ListProfiles(profiles); }, Access::kCompany, app.Can("bank.read")});
}

}  // namespace vertice::api
