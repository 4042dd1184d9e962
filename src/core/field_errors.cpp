#include "core/field_errors.hpp"

#include <fmt/format.h>

namespace vertice {

namespace {
// Minimal JSON string escaping (field names and messages are our own text or user keys).
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", c);
        else
          out += c;
    }
  }
  return out + "\"";
}
}  // namespace

void FieldErrors::Add(std::string_view field, std::string_view code, std::string_view problem) {
  items_.push_back({std::string(field), std::string(code), std::string(problem)});
}

bool FieldErrors::Check(bool ok, std::string_view field, std::string_view problem) {
  if (!ok) Add(field, "invalid_field", problem);
  return ok;
}

Status FieldErrors::ToStatus() const {
  if (items_.empty()) return {};
  std::string details = R"({"fields":[)";
  for (size_t i = 0; i < items_.size(); ++i) {
    if (i) details += ',';
    details += fmt::format(R"({{"field":{},"code":{},"problem":{}}})", Quote(items_[i].field), Quote(items_[i].code),
                           Quote(items_[i].problem));
  }
  details += "]}";
  const auto& first = items_.front();
  return Fail(ErrorKind::kInvalidInput, first.code, "Datos inválidos: '" + first.field + "' " + first.problem + ".",
              details);
}

}  // namespace vertice
