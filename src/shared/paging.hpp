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

// limit 1..200 (default 50); `after` must be a UUID when uuid_cursor. Bad values → 400.
Result<PageRequest> ParsePageRequest(std::string_view query, bool uuid_cursor);

// {"items": [...], "next_after": "…" | null}
boost::json::object PageJson(const Page& page);

}  // namespace vertice::shared
