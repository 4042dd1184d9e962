#include "verticals/sdk.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>

#include "http/error_response.hpp"
#include "shared/query_string.hpp"
#include "shared/validation.hpp"

namespace vertice::verticals {

namespace json = boost::json;

http::Response Json(int status, const json::value& body) { return http::JsonResponse(status, json::serialize(body)); }

Error BusinessRule(std::string code, std::string message, json::object details) {
  return Error{ErrorKind::kBusinessRule, std::move(code), std::move(message), std::move(details)};
}

std::optional<shared::Money> ReadMoney(http::JsonBody& body, std::string_view field, bool required, bool positive) {
  return ReadDecimalText<shared::Money>(body, field, required, positive);
}

std::optional<shared::Quantity> ReadQuantity(http::JsonBody& body, std::string_view field, bool required,
                                             bool positive) {
  return ReadDecimalText<shared::Quantity>(body, field, required, positive);
}

std::optional<shared::Rate> ReadRate(http::JsonBody& body, std::string_view field, bool required, shared::Rate max) {
  auto rate = ReadDecimalText<shared::Rate>(body, field, required, false);
  if (rate && *rate > max) {
    body.Invalid(field, "no puede ser mayor que " + max.ToString());
    return std::nullopt;
  }
  return rate;
}

std::optional<std::string> ReadDate(http::JsonBody& body, std::string_view field, bool required) {
  auto text = body.String(field, required, 10);
  if (text && !shared::IsIsoDate(*text)) {
    body.Invalid(field, "debe ser una fecha AAAA-MM-DD válida");
    return std::nullopt;
  }
  return text;
}

Result<shared::PageRequest> IdPage(std::string_view query) { return shared::ParsePageRequest(query, false); }

bool IsCode(std::string_view s, size_t max, std::string_view extra) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
  });
}

db::Task<Result<http::Response>> ListPage(VerticalRequest& req, const shared::ListDefinition& definition) {
  VERTICE_CO_ASSIGN_OR_RETURN(auto page,
                              co_await shared::ReadList(req.ctx.pool, req.scope, definition, req.http.query));
  co_return http::JsonResponse(200, std::move(page));
}

Result<int64_t> IdParam(const VerticalRequest& req, const std::string& name, std::string_view what) {
  const auto& text = req.Param(name);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || end != text.data() + text.size() || id <= 0)
    return std::unexpected(NotFound(std::string(what) + " no existe."));
  return id;
}

db::Task<Result<http::Response>> IdempotentWrite(VerticalRequest& req, const shared::IdempotencyStore& store,
                                                 WriteFn write) {
  std::optional<std::string_view> header;
  if (req.http.HasHeader("idempotency-key")) header = req.http.Header("idempotency-key");
  std::string target = req.http.path;
  if (!req.http.query.empty()) target += "?" + req.http.query;
  VERTICE_CO_ASSIGN_OR_RETURN(auto key,
                              shared::ReadIdempotencyKey(header, req.actor, req.http.method, target, req.http.body));
  bool replayed = false;
  auto response =
      co_await req.ctx.pool.InTransaction(req.scope, [&](db::Transaction& tx) -> db::Task<Result<http::Response>> {
        replayed = false;
        if (key) {
          VERTICE_CO_ASSIGN_OR_RETURN(auto stored, co_await shared::ClaimIdempotencyKey(tx, store, *key));
          if (stored) {
            replayed = true;
            co_return http::JsonResponse(stored->status, std::move(stored->body));
          }
        }
        VERTICE_CO_ASSIGN_OR_RETURN(auto answer, co_await write(tx));
        if (key) {
          shared::IdempotentAnswer stored{answer.status, answer.body};
          VERTICE_CO_TRY(co_await shared::SaveIdempotentAnswer(tx, store, *key, stored));
        }
        co_return answer;
      });
  if (!response) co_return std::unexpected(response.error());
  if (replayed) response->SetHeader("Idempotent-Replayed", "true");
  co_return std::move(*response);
}

namespace {

// The request's parameters over the report's defaults (a parameter given replaces the default).
std::string WithDefaults(std::string_view query, const std::string& defaults) {
  std::string out(query);
  auto given = shared::ParseQueryString(query);
  for (auto part = defaults; !part.empty();) {
    auto amp = part.find('&');
    auto item = part.substr(0, amp);
    auto key = item.substr(0, item.find('='));
    bool present = false;
    if (given)
      for (const auto& [k, v] : *given) present = present || k == key;
    if (!present) out += (out.empty() ? "" : "&") + item;
    part = amp == std::string::npos ? "" : part.substr(amp + 1);
  }
  return out;
}

}  // namespace

db::Task<Result<http::Response>> ReportPage(VerticalRequest& req, const std::map<std::string, NamedReport>& reports) {
  const auto& name = req.Param("name");
  auto it = reports.find(name);
  if (it == reports.end()) {
    std::string names;
    for (const auto& [n, r] : reports) names += (names.empty() ? "" : ", ") + n;
    co_return std::unexpected(NotFound("El reporte no existe: use " + names + "."));
  }
  VERTICE_CO_ASSIGN_OR_RETURN(auto request,
                              shared::ParseReportQuery(WithDefaults(req.http.query, it->second.default_query)));
  VERTICE_CO_ASSIGN_OR_RETURN(auto built, shared::BuildReport(it->second.definition, request, req.scope));
  auto rows = co_await req.ctx.pool.InTransaction(
      req.scope, [&](db::Transaction& tx) { return tx.Query(built.sql, built.params); });
  if (!rows) co_return std::unexpected(rows.error());
  auto out = shared::ReportRowsJson(built, *rows);
  out["report"] = name;
  co_return Json(200, out);
}

}  // namespace vertice::verticals
