#include "api/sql_list.hpp"

#include <boost/json.hpp>

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

}  // namespace vertice::api
