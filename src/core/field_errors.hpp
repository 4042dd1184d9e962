// Collects every field problem of a request, then fails once with all of them:
// 400, code of the first problem, details {"fields": [{"field", "code", "problem"}]}.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace vertice {

class FieldErrors {
 public:
  // code: missing_field, invalid_field_type, invalid_field, unknown_field, …; problem: Spanish text.
  void Add(std::string_view field, std::string_view code, std::string_view problem);
  // Records `problem` under invalid_field unless ok; returns ok.
  bool Check(bool ok, std::string_view field, std::string_view problem);
  bool Empty() const { return items_.empty(); }
  size_t Size() const { return items_.size(); }
  Status ToStatus() const;

 private:
  struct Item {
    std::string field, code, problem;
  };
  std::vector<Item> items_;
};

}  // namespace vertice
