#include "shared/query_string.hpp"

#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

namespace vertice::shared {

Result<QueryParams> ParseQueryString(std::string_view query) {
  if (!boost::urls::parse_query(boost::urls::string_view(query.data(), query.size()))) {
    return Fail(ErrorKind::kInvalidInput, "invalid_query", "Los parámetros de la consulta están mal codificados.");
  }
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  QueryParams out;
  for (auto p : boost::urls::params_view(boost::urls::string_view(query.data(), query.size()), opts)) {
    if (p.key.empty() && p.value.empty()) continue;
    out.emplace_back(std::move(p.key), std::move(p.value));
  }
  return out;
}

std::string QueryValue(std::string_view query, std::string_view name) {
  auto params = ParseQueryString(query);
  if (!params) return {};
  for (auto& [k, v] : *params) {
    if (k == name) return v;
  }
  return {};
}

}  // namespace vertice::shared
