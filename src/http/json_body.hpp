// Strict reading of a JSON object body: every field typed, unknown fields refused, every
// violation reported at once in `details.fields`.
#pragma once

#include <boost/json/object.hpp>
#include <list>
#include <memory>
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
  std::optional<int64_t> Integer(std::string_view field, bool required, int64_t min, int64_t max);
  // A JSON object kept as is (e.g. a configuration the caller validates itself).
  std::optional<boost::json::object> Object(std::string_view field, bool required);
  // An array of objects, each read like the body ("lines[0].sku" in errors); a missing or
  // empty array is an error when required. The readers live until Finish().
  std::vector<JsonBody*> Objects(std::string_view field, bool required, size_t max_items);
  // Records a problem found by the caller's own checks (format, allowed values).
  void Invalid(std::string_view field, std::string_view problem);
  // Fails with the first violation's code and every violation in details; refuses unknown fields.
  Status Finish();

 private:
  JsonBody(boost::json::object obj, std::string prefix, std::shared_ptr<FieldErrors> errors)
      : obj_(std::move(obj)), prefix_(std::move(prefix)), errors_(std::move(errors)) {}
  std::string Name(std::string_view field) const { return prefix_ + std::string(field); }
  void CheckUnknown();
  boost::json::object obj_;
  std::string prefix_;  // "lines[2]." for an element of an array
  std::shared_ptr<FieldErrors> errors_;
  std::set<std::string, std::less<>> seen_;
  std::list<JsonBody> children_;  // stable addresses for Objects()
};

}  // namespace vertice::http
