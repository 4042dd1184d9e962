#include "api/sql_list.hpp"

#include <boost/json.hpp>

#include "core/field_errors.hpp"
#include "shared/decimal.hpp"
#include "shared/query_string.hpp"

namespace vertice::api {

http::Response JsonItemsPage(const db::Rows& rows, int limit, std::string_view json_column,
                             const std::function<std::string(int row)>& cursor) {
  std::string body = "{\"items\":[";
  boost::json::value next = nullptr;
  for (int r = 0; r < rows.Size(); ++r) {
    if (r == limit) {
      next = cursor(r - 1);
      break;
    }
    if (r) body += ',';
    body += rows.Get(r, json_column);
  }
  body += "],\"next_after\":" + boost::json::serialize(next) + "}";
  http::Response res;
  res.status = 200;
  res.body = std::move(body);
  return res;
}

Result<AccountPageQuery> ParseAccountPageQuery(std::string_view query) {
  VERTICE_ASSIGN_OR_RETURN(auto q, shared::ParseQueryString(query));
  FieldErrors errors;
  AccountPageQuery out;
  for (const auto& [key, value] : q) {
    if (key == "account_id") {
      if (errors.Check(IsRowId(value), key, "debe ser el id de una cuenta")) out.account_id = value;
    } else if (key == "after") {
      if (errors.Check(IsRowId(value), key, "no es un cursor de esta lista")) out.after = value;
    } else if (key == "limit") {
      auto n = shared::Decimal<0>::Parse(value);
      if (errors.Check(n && n->Units() >= 1 && n->Units() <= 200, key, "debe ser un entero de 1 a 200"))
        out.limit = static_cast<int>(n->Units());
    } else {
      errors.Add(key, "unknown_field", "no es un filtro conocido");
    }
  }
  VERTICE_TRY(errors.ToStatus());
  return out;
}

}  // namespace vertice::api
