#include "db/rows.hpp"

#include "db/connection.hpp"

#include <charconv>
#include <stdexcept>
#include <string>

namespace vertice::db {

int Rows::Column(std::string_view name) const {
  int col = PQfnumber(res_.get(), std::string(name).c_str());
  if (col < 0) throw std::logic_error("no such result column: " + std::string(name));
  return col;
}

std::optional<std::string> Rows::Opt(int row, std::string_view name) const {
  int col = Column(name);
  if (IsNull(row, col)) return std::nullopt;
  return std::string(Get(row, col));
}

int64_t Rows::Int(int row, std::string_view name) const {
  auto v = Get(row, name);
  int64_t out = 0;
  std::from_chars(v.data(), v.data() + v.size(), out);
  return out;
}

int64_t Rows::Affected() const {
  if (!res_) return 0;
  const char* n = PQcmdTuples(res_.get());
  return (n && *n) ? std::stoll(n) : 0;
}

std::string TextArrayLiteral(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace vertice::db
