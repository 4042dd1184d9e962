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

struct UploadedFile {
  std::string name;
  std::string_view bytes;  // into the request body
};
// The files an upload request carries, one way for every import: the file parts of a multipart
// body (other form fields skipped; a part without a file name counts when its field is "file" or
// "files" and is named "parte-N"), or else a non-empty raw body as one file named `body_name`.
Result<std::vector<UploadedFile>> UploadedFiles(std::string_view content_type, std::string_view body,
                                                std::string body_name);

}  // namespace vertice::http
