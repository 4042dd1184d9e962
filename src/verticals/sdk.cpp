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

Result<shared::PageRequest> IdPage(std::string_view query) {
  VERTICE_ASSIGN_OR_RETURN(auto page, shared::ParsePageRequest(query, false));
  if (page.after && (page.after->empty() || page.after->size() > 18 ||
                     page.after->find_first_not_of("0123456789") != std::string::npos))
    return Fail(ErrorKind::kInvalidInput, "invalid_cursor", "after no es un cursor válido.");
  return page;
}

Result<std::optional<std::string>> DateQuery(std::string_view query, std::string_view name) {
  auto value = shared::QueryValue(query, name);
  if (value.empty()) return std::optional<std::string>{};
  if (!shared::IsIsoDate(value))
    return Fail(ErrorKind::kInvalidInput, "invalid_date", std::string(name) + " debe ser una fecha AAAA-MM-DD.");
  return std::optional<std::string>{value};
}

Result<std::optional<std::string>> IdQuery(std::string_view query, std::string_view name) {
  auto value = shared::QueryValue(query, name);
  if (value.empty()) return std::optional<std::string>{};
  if (value.size() > 18 || value.find_first_not_of("0123456789") != std::string::npos)
    return Fail(ErrorKind::kInvalidInput, "invalid_filter", std::string(name) + " debe ser un número.");
  return std::optional<std::string>{value};
}

bool IsCode(std::string_view s, size_t max, std::string_view extra) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string_view::npos;
  });
}

json::object RowsPage(const db::Rows& rows, int limit, const std::string& id_column,
                      const std::vector<std::string>& columns) {
  json::array items;
  int n = std::min(rows.Size(), limit);
  for (int i = 0; i < n; ++i) {
    json::object item;
    for (const auto& col : columns) {
      auto v = rows.Opt(i, col);
      item[col] = v ? json::value(*v) : json::value(nullptr);
    }
    items.push_back(std::move(item));
  }
  json::object out{{"items", std::move(items)}};
  out["next_after"] = rows.Size() > limit ? json::value(rows.Str(n - 1, id_column)) : json::value(nullptr);
  return out;
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

}  // namespace vertice::verticals
