// What the list endpoints share: numeric row ids in paths and cursors, a WHERE clause built with
// bound values only, and a keyset page assembled from rows whose JSON PostgreSQL already wrote.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/text.hpp"
#include "db/connection.hpp"
#include "http/message.hpp"

namespace vertice::api {

// A WHERE clause under construction, values always bound.
struct SqlWhere {
  std::string sql;
  db::Params params;
  std::string Bind(std::string value) {
    params.push_back(std::move(value));
    return "$" + std::to_string(params.size());
  }
  void And(const std::string& cond) { sql += " AND " + cond; }
};

// {"items":[<json_column of each row>…],"next_after":cursor|null} from up to limit + 1 rows:
// the extra row says there is a next page, whose cursor is cursor(last row shown).
http::Response JsonItemsPage(const db::Rows& rows, int limit, std::string_view json_column,
                             const std::function<std::string(int row)>& cursor);

// ?account_id=&after=&limit= of a list keyset by row id (limit 1–200, default 50); any other
// parameter is refused, every violation reported at once.
struct AccountPageQuery {
  std::optional<std::string> account_id, after;
  int limit = 50;
};
Result<AccountPageQuery> ParseAccountPageQuery(std::string_view query);

}  // namespace vertice::api
