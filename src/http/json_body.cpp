#include "http/json_body.hpp"

#include <fmt/format.h>

#include <boost/json.hpp>
#include <charconv>
#include <cstdint>
#include <optional>

#include "core/text.hpp"

namespace vertice::http {

namespace json = boost::json;

namespace {

// The path of the first key or string holding NUL ("\u0000" escapes decode to it; PostgreSQL
// text cannot hold U+0000): "lines[2].sku" (the enclosing object's path for a key), or nullopt.
std::optional<std::string> FindNul(const json::value& v, const std::string& path) {
  auto join = [&](std::string_view key) { return path.empty() ? std::string(key) : path + "." + std::string(key); };
  if (v.is_string()) {
    if (v.as_string().find('\0') != json::string::npos) return path;
  } else if (v.is_object()) {
    for (const auto& [key, child] : v.as_object()) {
      if (key.find('\0') != std::string_view::npos) return path.empty() ? std::string("body") : path;
      if (auto found = FindNul(child, join(key))) return found;
    }
  } else if (v.is_array()) {
    const auto& a = v.as_array();
    for (size_t i = 0; i < a.size(); ++i) {
      if (auto found = FindNul(a[i], fmt::format("{}[{}]", path, i))) return found;
    }
  }
  return std::nullopt;
}

// A \uD800–\uDFFF escape that is not a high surrogate followed by a low one (Boost.JSON reports
// some of them as a plain syntax error).
bool HasLoneSurrogateEscape(std::string_view body) {
  auto unit = [&](size_t at) -> int {  // the code unit of the \uXXXX escape at `at`, or -1
    if (at + 6 > body.size() || body[at] != '\\' || body[at + 1] != 'u') return -1;
    int v = 0;
    for (size_t i = at + 2; i < at + 6; ++i) {
      char c = body[i];
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    return v;
  };
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\') continue;
    int u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      int low = unit(i + 6);
      if (low < 0xDC00 || low > 0xDFFF) return true;
      i += 11;
      continue;
    }
    if (u >= 0xDC00 && u <= 0xDFFF) return true;
    ++i;  // skip the escaped character (so "\\u" is not read as an escape)
  }
  return false;
}

Error InvalidUtf8(std::string field) {
  std::string message = field == "body" ? "El cuerpo de la solicitud no es UTF-8 válido."
                                        : fmt::format("El campo «{}» no es texto UTF-8 válido.", field);
  return Error{ErrorKind::kInvalidInput, "invalid_utf8", std::move(message), json::object{{"field", field}}, {}};
}

}  // namespace

Result<JsonBody> JsonBody::Parse(std::string_view body) {
  if (!IsValidUtf8(body)) return std::unexpected(InvalidUtf8("body"));
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = 32;
  auto value = json::parse(body, ec, {}, opts);
  // "\ud800" alone escapes half a character: not text, like invalid UTF-8.
  if (ec && HasLoneSurrogateEscape(body)) {
    return std::unexpected(InvalidUtf8("body"));
  }
  if (ec) {
    return Fail(ErrorKind::kInvalidInput, "invalid_json", "El cuerpo de la solicitud no es JSON válido.", {},
                ec.message());
  }
  if (!value.is_object()) {
    return Fail(ErrorKind::kInvalidInput, "invalid_json", "El cuerpo de la solicitud debe ser un objeto JSON.");
  }
  if (auto field = FindNul(value, "")) return std::unexpected(InvalidUtf8(field->empty() ? "body" : *field));
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
