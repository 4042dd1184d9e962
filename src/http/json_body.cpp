#include "http/json_body.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <cstdint>

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
  return JsonBody(std::move(value.as_object()), "", std::make_shared<FieldErrors>());
}

std::optional<std::string> JsonBody::String(std::string_view field, bool required, size_t max_len) {
  seen_.emplace(field);
  auto* v = obj_.if_contains(field);
  if (v == nullptr || v->is_null()) {
    if (required) errors_->Add(Name(field), "missing_field", "es obligatorio");
    return std::nullopt;
  }
  if (!v->is_string()) {
    errors_->Add(Name(field), "invalid_field_type", "debe ser texto");
    return std::nullopt;
  }
  const auto& s = v->as_string();
  if (s.size() > max_len) {
    errors_->Add(Name(field), "invalid_field", "es demasiado largo");
    return std::nullopt;
  }
  return std::string(s);
}

std::optional<bool> JsonBody::Bool(std::string_view field, bool required) {
  seen_.emplace(field);
  auto* v = obj_.if_contains(field);
  if (v == nullptr || v->is_null()) {
    if (required) errors_->Add(Name(field), "missing_field", "es obligatorio");
    return std::nullopt;
  }
  if (!v->is_bool()) {
    errors_->Add(Name(field), "invalid_field_type", "debe ser booleano");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<int64_t> JsonBody::Integer(std::string_view field, bool required, int64_t min, int64_t max) {
  seen_.emplace(field);
  auto* v = obj_.if_contains(field);
  if (v == nullptr || v->is_null()) {
    if (required) errors_->Add(Name(field), "missing_field", "es obligatorio");
    return std::nullopt;
  }
  std::optional<int64_t> n;
  if (v->is_int64()) n = v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) n = static_cast<int64_t>(v->as_uint64());
  // Ids travel as strings in responses ("pos_id": "12"); accept them back the same way.
  if (v->is_string()) {
    const auto& t = v->as_string();
    int64_t parsed = 0;
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), parsed);
    if (!t.empty() && ec == std::errc{} && end == t.data() + t.size()) n = parsed;
  }
  if (!n) {
    errors_->Add(Name(field), "invalid_field_type", "debe ser un número entero");
    return std::nullopt;
  }
  if (*n < min || *n > max) {
    errors_->Add(Name(field), "invalid_field", fmt::format("debe estar entre {} y {}", min, max));
    return std::nullopt;
  }
  return n;
}

std::optional<json::object> JsonBody::Object(std::string_view field, bool required) {
  seen_.emplace(field);
  auto* v = obj_.if_contains(field);
  if (v == nullptr || v->is_null()) {
    if (required) errors_->Add(Name(field), "missing_field", "es obligatorio");
    return std::nullopt;
  }
  if (!v->is_object()) {
    errors_->Add(Name(field), "invalid_field_type", "debe ser un objeto");
    return std::nullopt;
  }
  return v->as_object();
}

std::vector<JsonBody*> JsonBody::Objects(std::string_view field, bool required, size_t max_items) {
  seen_.emplace(field);
  std::vector<JsonBody*> out;
  auto* v = obj_.if_contains(field);
  if (v == nullptr || v->is_null() || (v->is_array() && v->as_array().empty())) {
    if (required) errors_->Add(Name(field), "missing_field", "es obligatorio y no puede estar vacío");
    return out;
  }
  if (!v->is_array()) {
    errors_->Add(Name(field), "invalid_field_type", "debe ser una lista");
    return out;
  }
  const auto& items = v->as_array();
  if (items.size() > max_items) {
    errors_->Add(Name(field), "invalid_field", fmt::format("admite a lo más {} elementos", max_items));
    return out;
  }
  for (size_t i = 0; i < items.size(); ++i) {
    auto name = fmt::format("{}[{}]", Name(field), i);
    if (!items[i].is_object()) {
      errors_->Add(name, "invalid_field_type", "debe ser un objeto");
      continue;
    }
    children_.push_back(JsonBody(items[i].as_object(), name + ".", errors_));
    out.push_back(&children_.back());
  }
  return out;
}

void JsonBody::Invalid(std::string_view field, std::string_view problem) {
  errors_->Add(Name(field), "invalid_field", problem);
}

void JsonBody::CheckUnknown() {
  for (const auto& [key, value] : obj_) {
    if (!seen_.contains(std::string_view(key))) errors_->Add(Name(key), "unknown_field", "campo desconocido");
  }
  for (auto& child : children_) child.CheckUnknown();
}

Status JsonBody::Finish() {
  CheckUnknown();
  return errors_->ToStatus();
}

}  // namespace vertice::http
