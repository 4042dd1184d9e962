#include "core/field_errors.hpp"

#include <boost/json/array.hpp>

namespace vertice {

void FieldErrors::Add(std::string_view field, std::string_view code, std::string_view problem) {
  items_.push_back({std::string(field), std::string(code), std::string(problem)});
}

bool FieldErrors::Check(bool ok, std::string_view field, std::string_view problem) {
  if (!ok) Add(field, "invalid_field", problem);
  return ok;
}

Status FieldErrors::ToStatus() const {
  if (items_.empty()) return {};
  boost::json::array fields;
  for (const auto& item : items_)
    fields.push_back(boost::json::object{{"field", item.field}, {"code", item.code}, {"problem", item.problem}});
  const auto& first = items_.front();
  return Fail(ErrorKind::kInvalidInput, first.code, "Datos inválidos: '" + first.field + "' " + first.problem + ".",
              boost::json::object{{"fields", std::move(fields)}});
}

}  // namespace vertice
