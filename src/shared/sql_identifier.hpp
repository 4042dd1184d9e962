// Identifiers spliced into SQL come only from code (specs, definitions), and are checked here.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace vertice::shared {

inline bool IsSqlIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

// Returns the identifier double-quoted; throws std::logic_error for anything but [a-z_][a-z0-9_]*.
inline std::string QuoteIdentifier(std::string_view s) {
  if (!IsSqlIdentifier(s)) throw std::logic_error("invalid SQL identifier in a spec: " + std::string(s));
  return "\"" + std::string(s) + "\"";
}

}  // namespace vertice::shared
