#include "http/json_body.hpp"

#include <boost/json.hpp>

#include "core/text.hpp"

namespace vertice::http {

namespace json = boost::json;

Result<JsonBody> JsonBody::Parse(std::string_view body) {
  if (!IsValidUtf8(body)) {
    return Fail(ErrorKind::kInvalidInput, "invalid_utf8", "El cuerpo de la solicitud no es UTF-8 válido.");
  }
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 32;
  auto value = json::parse(body, ec, {}, opts);
  if (ec) {
    return Fail(ErrorKind::kInvalidInput, "invalid_json", "El cuerpo de la solicitud no es JSON válido.", {},
                ec.message());
  }
  if (!value.is_object()) {
    return Fail(ErrorKind::kInvalidInput, "invalid_json", "El cuerpo de la solicitud debe ser un objeto JSON.");
  }
  return JsonBody(std::move(value.as_object()));
}

void JsonBody::Invalid(std::string_view field, std::string_view problem) {
  errors_.Add(field, "invalid_field", problem);
}

std::optional<std::string> JsonBody::String(std::string_view field, bool required, size_t max_len) {
  seen_.emplace(field);
  auto* v = obj_.if_contains(field);
  if (v == nullptr || v->is_null()) {
    if (required) errors_.Add(field, "missing_field", "es obligatorio");
    return std::nullopt;
  }
  if (!v->is_string()) {
    errors_.Add(field, "invalid_field_type", "debe ser texto");
    return std::nullopt;
  }
  const auto& s = v->as_string();
  if (s.size() > max_len) {
    errors_.Add(field, "invalid_field", "es demasiado largo");
    return std::nullopt;
  }
  return std::string(s);
}

std::optional<bool> JsonBody::Bool(std::string_view field, bool required) {
  seen_.emplace(field);
  auto* v = obj_.if_contains(field);
  if (v == nullptr || v->is_null()) {
    if (required) errors_.Add(field, "missing_field", "es obligatorio");
    return std::nullopt;
  }
  if (!v->is_bool()) {
    errors_.Add(field, "invalid_field_type", "debe ser booleano");
    return std::nullopt;
  }
  return v->as_bool();
}

Status JsonBody::Finish() {
  for (const auto& [key, value] : obj_) {
    if (!seen_.contains(std::string_view(key))) errors_.Add(key, "unknown_field", "campo desconocido");
  }
  return errors_.ToStatus();
}

}  // namespace vertice::http
