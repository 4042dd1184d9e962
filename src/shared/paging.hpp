// Query-string helpers shared by list endpoints: ?limit=&after= keyset pages.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "shared/dal.hpp"

namespace vertice::shared {

struct PageRequest {
  int limit = 50;
  std::optional<std::string> after;
};

// limit 1..200 (default 50); `after` is a cursor of an id-ordered page (shared/list.hpp's codec)
// whose id is a UUID when uuid_cursor, else a row id. Bad values → 400.
Result<PageRequest> ParsePageRequest(std::string_view query, bool uuid_cursor);

// {"items": [...], "next_after": "<cursor>" | null}: the DAL's pages, in the shape of every list.
boost::json::object PageJson(const Page& page);

}  // namespace vertice::shared
