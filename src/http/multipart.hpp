// multipart/form-data bodies (RFC 7578): the parts of an upload with their field name, file name
// and bytes. Hand-written: neither Boost 1.81 (Beast has no multipart) nor another Debian 12
// C++ library parses it. The whole body is already in memory (bounded by the server's body limit).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace vertice::http {

struct Part {
  std::string name;      // form field name
  std::string filename;  // empty for a plain field
  std::string content_type;
  std::string_view data;  // into the body
};

// The boundary parameter of a multipart/form-data Content-Type, or nullopt if it is not one.
std::optional<std::string> MultipartBoundary(std::string_view content_type);
// Splits the body; a malformed body is a 400 naming what is wrong.
Result<std::vector<Part>> ParseMultipart(std::string_view body, std::string_view boundary);

}  // namespace vertice::http
