// Strict reading of a JSON object body: every field typed, unknown fields refused, every
// violation reported at once in `details.fields`.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/field_errors.hpp"

namespace vertice::http {

class JsonBody {
 public:
  // invalid_utf8 / invalid_json / body_not_object errors come from here.
  static Result<JsonBody> Parse(std::string_view body);

  std::optional<std::string> String(std::string_view field, bool required, size_t max_len = 1000);
  std::optional<bool> Bool(std::string_view field, bool required);
  // Records a problem found by the caller's own checks (format, allowed values).
  void Invalid(std::string_view field, std::string_view problem);
  // Fails with the first violation's code and every violation in details; refuses unknown fields.
  Status Finish();

 private:
  explicit JsonBody(boost::json::object obj) : obj_(std::move(obj)) {}
  boost::json::object obj_;
  std::set<std::string, std::less<>> seen_;
  FieldErrors errors_;
};

}  // namespace vertice::http
