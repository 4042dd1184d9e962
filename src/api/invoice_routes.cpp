// /api/v1/invoices: CFDI import (one XML, multipart with many files, or a ZIP), list with filters
// and keyset pagination, detail with conceptos/taxes/payments/balance, the original XML,
// cancellation, monthly summary, receivables/payables aging and CSV export.
#include <sodium.h>

#include <boost/json.hpp>

#include "api/app.hpp"
#include "core/field_errors.hpp"
#include "core/text.hpp"
#include "http/error_response.hpp"
#include "http/json_body.hpp"
#include "http/multipart.hpp"
#include "invoices/archive.hpp"
#include "invoices/export.hpp"
#include "invoices/importer.hpp"
#include "invoices/lifecycle.hpp"
#include "invoices/list.hpp"
#include "invoices/queries.hpp"
#include "invoices/summaries.hpp"
#include "shared/paging.hpp"
#include "shared/query_string.hpp"
#include "shared/validation.hpp"

namespace vertice::api {

namespace json = boost::json;

namespace {

constexpr size_t kMaxFilesPerRequest = 20000;
constexpr size_t kMaxExpandedBytes = 256 * 1024 * 1024;  // a request's ZIPs, uncompressed (zip bombs)

Error InvoiceNotFound() { return NotFound("La factura no existe."); }

// ---- import -------------------------------------------------------------------------------

// Everything a request carries, as files: multipart parts, ZIP entries (expanded), or the body.
struct Upload {
  std::vector<invoices::ImportFile> files;
  std::vector<invoices::FileResult> refused;  // entries that are not XML
  size_t expanded_bytes = 0;
};

Status AddBlob(Upload& up, std::string name, std::string_view bytes) {
  if (invoices::LooksLikeZip(bytes)) {
    VERTICE_ASSIGN_OR_RETURN(auto zip, invoices::ZipReader::OpenMemory(bytes));
    for (size_t i = 0; i < zip.Size(); ++i) {
      if (zip.IsDirectory(i)) continue;
      if (up.files.size() + up.refused.size() >= kMaxFilesPerRequest)
        return Fail(ErrorKind::kPayloadTooLarge, "invoices.too_many_files",
                    "Demasiados archivos en una solicitud (máximo 20000); use la importación por línea de comandos.");
      if (!invoices::HasXmlName(zip.Name(i))) {
        invoices::FileResult r;
        r.name = name + "/" + zip.Name(i);
        r.findings.push_back({"ARCHIVO02", "not_xml", cfdi::Severity::kError, "El archivo no es un XML; se omite."});
        up.refused.push_back(std::move(r));
        continue;
      }
      VERTICE_ASSIGN_OR_RETURN(auto file, zip.Read(i, name));
      up.expanded_bytes += file.bytes.size();
      if (up.expanded_bytes > kMaxExpandedBytes)
        return Fail(ErrorKind::kPayloadTooLarge, "invoices.archive_too_large",
                    "El contenido descomprimido excede 256 MiB; use la importación por línea de comandos.");
      up.files.push_back(std::move(file));
    }
    return Status{};
  }
  up.files.push_back({std::move(name), std::string(bytes)});
  return Status{};
}

Result<Upload> ReadUpload(const http::Request& req) {
  std::string body_name = shared::QueryValue(req.query, "filename");
  if (body_name.empty()) body_name = invoices::LooksLikeZip(req.body) ? "archivo.zip" : "documento.xml";
  VERTICE_ASSIGN_OR_RETURN(auto files, http::UploadedFiles(req.Header("content-type"), req.body, body_name));
  Upload up;
  for (auto& f : files) VERTICE_TRY(AddBlob(up, std::move(f.name), f.bytes));
  if (up.files.empty() && up.refused.empty())
    return Fail(ErrorKind::kInvalidInput, "invoices.no_files", "La solicitud no trae ningún archivo XML o ZIP.");
  return up;
}

// ?unverified=true: store documents whose seal is invalid or missing as unverified imports
// (audited) instead of refusing them.
Result<bool> UnverifiedParam(const http::Request& req) {
  auto v = shared::QueryValue(req.query, "unverified");
  if (v.empty() || v == "false" || v == "0") return false;
  if (v == "true" || v == "1") return true;
  FieldErrors errors;
  errors.Check(false, "unverified", "debe ser true o false");
  VERTICE_TRY(errors.ToStatus());
  return false;
}

db::Task<Result<http::Response>> ImportInvoices(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(const bool unverified, UnverifiedParam(ctx.request));
  VERTICE_CO_ASSIGN_OR_RETURN(auto upload, ReadUpload(ctx.request));
  const bool single = upload.files.size() == 1 && upload.refused.empty() &&
                      !http::MultipartBoundary(ctx.request.Header("content-type")) &&
                      !invoices::LooksLikeZip(ctx.request.body);
  invoices::Importer importer(app.Deps().pool, ctx.Scope(), ctx.Actor(), "api", unverified);
  VERTICE_CO_TRY(co_await importer.Begin());
  json::array files;
  invoices::ImportCounts counts;
  std::vector<invoices::FileResult> results;
  {
    auto files_in = std::move(upload.files);
    VERTICE_CO_ASSIGN_OR_RETURN(auto stored, co_await importer.Add(std::move(files_in)));
    results = std::move(stored);
  }
  for (auto& r : upload.refused) results.push_back(std::move(r));
  for (const auto& r : results) {
    counts.Add(r);
    files.push_back(invoices::FileResultJson(r));
  }
  VERTICE_CO_TRY(co_await importer.Finish());
  if (single) {
    const auto& r = results.front();
    auto body = invoices::FileResultJson(r);
    body["import_id"] = std::to_string(importer.ImportId());
    if (r.outcome == invoices::Outcome::kRejected) {
      // The seal decides first: a refused seal is named as such (the other errors are in details).
      const cfdi::Finding* seal = nullptr;
      for (const auto& f : r.findings)
        if (!seal && f.severity == cfdi::Severity::kError && f.error_class == "seal_invalid") seal = &f;
      const cfdi::Finding* shown = seal ? seal : (r.findings.empty() ? nullptr : &r.findings.front());
      co_return Fail(ErrorKind::kBusinessRule, seal ? "invoices.seal_invalid" : "invoices.rejected",
                     "El comprobante fue rechazado: " + (shown ? shown->message : std::string()), std::move(body));
    }
    if (r.outcome == invoices::Outcome::kConflict)
      co_return Fail(ErrorKind::kConflict, "invoices.uuid_conflict",
                     "Ya existe un comprobante con ese UUID y contenido distinto.", std::move(body));
    co_return Json(r.outcome == invoices::Outcome::kAccepted ? 201 : 200, body);
  }
  co_return Json(200, json::object{{"import_id", std::to_string(importer.ImportId())},
                                   {"summary", invoices::CountsJson(counts)},
                                   {"files", std::move(files)}});
}

// ---- the list and its export ------------------------------------------------------------

db::Task<Result<http::Response>> ExportCsv(App& app, RequestContext& ctx) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto selection, shared::BuildSelection(invoices::InvoiceList(), ctx.request.query));
  auto csv = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return invoices::ExportCsv(tx, selection); });
  if (!csv) co_return std::unexpected(csv.error());
  http::Response res;
  res.status = 200;
  res.content_type = "text/csv; charset=utf-8";
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"facturas.csv\"");
  res.body = std::move(*csv);
  co_return res;
}

// ---- one invoice ---------------------------------------------------------------------------

db::Task<Result<http::Response>> GetInvoice(App& app, RequestContext& ctx) {
  auto key = invoices::ParseInvoiceKey(ctx.params["id"]);
  if (!key) co_return std::unexpected(InvoiceNotFound());
  auto detail = co_await app.Deps().pool.InTransaction(ctx.Scope(),
                                                       [&](db::Transaction& tx) { return invoices::Detail(tx, *key); });
  if (!detail) co_return std::unexpected(detail.error());
  co_return http::JsonResponse(200, *detail);
}

db::Task<Result<http::Response>> GetInvoiceXml(App& app, RequestContext& ctx) {
  auto key = invoices::ParseInvoiceKey(ctx.params["id"]);
  if (!key) co_return std::unexpected(InvoiceNotFound());
  std::string sql =
      "SELECT encode(i.xml, 'base64') AS x, coalesce(i.uuid, i.invoice_id::text) AS name FROM sat_invoices i "
      "WHERE i.company_id = vertice_current_company()";
  sql += key->kind == invoices::InvoiceKey::Kind::kUuid ? invoices::sql::kByUuid : invoices::sql::kById;
  auto params = db::P(key->value);
  auto rows = co_await app.Deps().pool.QueryOnce(ctx.Scope(), sql, params);
  if (!rows) co_return std::unexpected(rows.error());
  if (rows->Empty()) co_return std::unexpected(InvoiceNotFound());
  auto b64 = rows->Get(0, "x");
  std::string bytes(b64.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), b64.data(), b64.size(), "\n",
                        &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    co_return Fail(ErrorKind::kInternal, "internal", "No se pudo leer el XML original.");
  bytes.resize(len);
  http::Response res;
  res.status = 200;
  res.content_type = "application/xml";
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + rows->Str(0, "name") + ".xml\"");
  res.body = std::move(bytes);
  co_return res;
}

db::Task<Result<http::Response>> CancelInvoice(App& app, RequestContext& ctx) {
  auto key = invoices::ParseInvoiceKey(ctx.params["id"]);
  if (!key || key->kind != invoices::InvoiceKey::Kind::kUuid) co_return std::unexpected(InvoiceNotFound());
  VERTICE_CO_ASSIGN_OR_RETURN(auto body, http::JsonBody::Parse(ctx.request.body));
  auto reason = body.String("reason", true, 500);
  auto motivo = body.String("motivo", false, 2);
  auto substitute = body.String("substitute_uuid", false, 36);
  auto cancelled_at = body.String("cancelled_at", false, 40);
  if (reason && reason->empty()) body.Invalid("reason", "no puede estar vacío");
  if (motivo && *motivo != "01" && *motivo != "02" && *motivo != "03" && *motivo != "04")
    body.Invalid("motivo", "debe ser 01, 02, 03 o 04 (catálogo del SAT)");
  if (substitute && !IsUuid(*substitute)) body.Invalid("substitute_uuid", "debe ser un UUID");
  if (motivo && *motivo == "01" && !substitute)
    body.Invalid("substitute_uuid", "el motivo 01 requiere el UUID que sustituye al comprobante");
  if (cancelled_at && !shared::IsIsoTimestamp(*cancelled_at))
    body.Invalid("cancelled_at", "debe ser una fecha y hora ISO 8601 con zona");
  VERTICE_CO_TRY(body.Finish());
  const invoices::Cancellation cancellation{key->value, *reason, motivo, substitute, cancelled_at};
  const std::string role = ctx.membership->role;
  auto detail = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return invoices::Cancel(tx, ctx.Actor(), role, cancellation); });
  if (!detail) co_return std::unexpected(detail.error());
  co_return http::JsonResponse(200, *detail);
}

// ---- summaries -----------------------------------------------------------------------------

db::Task<Result<http::Response>> Summary(App& app, RequestContext& ctx) {
  auto from = shared::QueryValue(ctx.request.query, "from");
  auto to = shared::QueryValue(ctx.request.query, "to");
  FieldErrors errors;
  if (!from.empty()) errors.Check(shared::IsIsoDate(from), "from", "debe ser una fecha AAAA-MM-DD");
  if (!to.empty()) errors.Check(shared::IsIsoDate(to), "to", "debe ser una fecha AAAA-MM-DD");
  VERTICE_CO_TRY(errors.ToStatus());
  std::optional<std::string> f = from.empty() ? std::nullopt : std::optional<std::string>(from);
  std::optional<std::string> t = to.empty() ? std::nullopt : std::optional<std::string>(to);
  auto summary = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return invoices::MonthlySummary(tx, f, t); });
  if (!summary) co_return std::unexpected(summary.error());
  co_return Json(200, *summary);
}

db::Task<Result<http::Response>> Aging(App& app, RequestContext& ctx, std::string direction) {
  auto as_of = shared::QueryValue(ctx.request.query, "as_of");
  FieldErrors errors;
  if (!as_of.empty()) errors.Check(shared::IsIsoDate(as_of), "as_of", "debe ser una fecha AAAA-MM-DD");
  VERTICE_CO_TRY(errors.ToStatus());
  const Clock& clock = app.Deps().clock;
  auto aging = co_await app.Deps().pool.InTransaction(
      ctx.Scope(), [&](db::Transaction& tx) { return invoices::Aging(tx, direction, as_of, clock); });
  if (!aging) co_return std::unexpected(aging.error());
  co_return Json(200, *aging);
}

}  // namespace

void RegisterInvoiceRoutes(App& app) {
  app.Add("POST", "/api/v1/invoices",
          {[&app](RequestContext& ctx) { return ImportInvoices(app, ctx); }, Access::kCompany,
           app.Can("invoices.import"), false, Budget::kLong, true});
  app.Add("GET", "/api/v1/invoices",
          {[&app](RequestContext& ctx) { return ListPage(app, ctx, invoices::InvoiceList()); }, Access::kCompany,
           app.Can("invoices.read")});
  app.Add("GET", "/api/v1/invoices/summary",
          {[&app](RequestContext& ctx) { return Summary(app, ctx); }, Access::kCompany, app.Can("invoices.read")});
  app.Add(
      "GET", "/api/v1/invoices/receivables",
      {[&app](RequestContext& ctx) { return Aging(app, ctx, "issued"); }, Access::kCompany, app.Can("invoices.read")});
  app.Add("GET", "/api/v1/invoices/payables",
          {[&app](RequestContext& ctx) { return Aging(app, ctx, "received"); }, Access::kCompany,
           app.Can("invoices.read")});
  app.Add("GET", "/api/v1/invoices/export.csv",
          {[&app](RequestContext& ctx) { return ExportCsv(app, ctx); }, Access::kCompany, app.Can("invoices.read"),
           false, Budget::kLong});
  app.Add("GET", "/api/v1/invoices/{id}",
          {[&app](RequestContext& ctx) { return GetInvoice(app, ctx); }, Access::kCompany, app.Can("invoices.read")});
  app.Add(
      "GET", "/api/v1/invoices/{id}/xml",
      {[&app](RequestContext& ctx) { return GetInvoiceXml(app, ctx); }, Access::kCompany, app.Can("invoices.read")});
  app.Add(
      "POST", "/api/v1/invoices/{id}/cancel",
      {[&app](RequestContext& ctx) { return CancelInvoice(app, ctx); }, Access::kCompany, app.Can("invoices.cancel")});
}

}  // namespace vertice::api
