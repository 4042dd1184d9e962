#include "api/query_params.hpp"

#include <boost/json.hpp>

#include "core/text.hpp"

namespace vertice::api {

std::string QueryParam(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    auto part = query.substr(0, amp);
    if (part.size() > name.size() && part.starts_with(name) && part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

Result<PageRequest> ParsePageRequest(std::string_view query, bool uuid_cursor) {
  PageRequest out;
  auto limit = QueryParam(query, "limit");
  if (!limit.empty()) {
    try {
      size_t pos = 0;
      out.limit = std::stoi(limit, &pos);
      if (pos != limit.size()) out.limit = -1;
    } catch (...) {
      out.limit = -1;
    }
    if (out.limit < 1 || out.limit > 200) {
      return Fail(ErrorKind::kInvalidInput, "invalid_limit", "limit debe estar entre 1 y 200.");
    }
  }
  auto after = QueryParam(query, "after");
  if (!after.empty()) {
    if (uuid_cursor && !IsUuid(after))
      return Fail(ErrorKind::kInvalidInput, "invalid_cursor", "after no es un cursor válido.");
    out.after = after;
  }
  return out;
}

boost::json::object PageJson(const shared::Page& page) {
  boost::json::array items;
  for (const auto& item : page.items) items.push_back(item);
  boost::json::object out{{"items", std::move(items)}};
  out["next_after"] = page.next_after ? boost::json::value(*page.next_after) : boost::json::value(nullptr);
  return out;
}

}  // namespace vertice::api
