// Decoded query-string parameters (Boost.URL does the parsing and percent-decoding).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace vertice::shared {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

// "a=1&b=x%20y+z" → {{"a","1"},{"b","x y z"}}; a malformed escape → 400 invalid_query.
Result<QueryParams> ParseQueryString(std::string_view query);

// The decoded value of `name`, or empty when absent or the query is malformed.
std::string QueryValue(std::string_view query, std::string_view name);

}  // namespace vertice::shared
