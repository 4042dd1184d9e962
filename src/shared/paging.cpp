#include "shared/paging.hpp"

#include <boost/json.hpp>

#include "core/text.hpp"
#include "shared/list.hpp"
#include "shared/query_string.hpp"

namespace vertice::shared {

namespace {
// The DAL pages by id alone: its cursors name that order.
constexpr const char* kIdOrder = "id";
}  // namespace

Result<PageRequest> ParsePageRequest(std::string_view query, bool uuid_cursor) {
  PageRequest out;
  auto limit = shared::QueryValue(query, "limit");
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
  auto after = shared::QueryValue(query, "after");
  if (!after.empty()) {
    auto id = DecodeCursor(after, kIdOrder, 2);
    if (!id || (uuid_cursor ? !IsUuid((*id)[1]) : !IsRowId((*id)[1])))
      return Fail(ErrorKind::kInvalidInput, "invalid_cursor", "after no es un cursor válido.");
    out.after = (*id)[1];
  }
  return out;
}

boost::json::object PageJson(const Page& page) {
  boost::json::array items;
  for (const auto& item : page.items) items.push_back(item);
  boost::json::object out{{"items", std::move(items)}};
  out["next_after"] =
      page.next_after ? boost::json::value(EncodeCursor({kIdOrder, *page.next_after})) : boost::json::value(nullptr);
  return out;
}

}  // namespace vertice::shared
