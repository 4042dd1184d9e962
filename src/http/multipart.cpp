#include "http/multipart.hpp"

#include <algorithm>
#include <cctype>

#include "core/text.hpp"

namespace vertice::http {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of `key=` in a header's ;-separated parameters (quoted or not).
std::optional<std::string> Param(std::string_view header, std::string_view key) {
  size_t pos = 0;
  while ((pos = header.find(';', pos)) != std::string_view::npos) {
    auto rest = Trim(header.substr(pos + 1));
    ++pos;
    auto eq = rest.find('=');
    if (eq == std::string_view::npos) continue;
    if (ToLowerAscii(Trim(rest.substr(0, eq))) != key) continue;
    auto value = Trim(rest.substr(eq + 1));
    if (!value.empty() && value.front() == '"') {
      std::string out;
      for (size_t i = 1; i < value.size(); ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) {
          out += value[++i];
        } else if (value[i] == '"') {
          return out;
        } else {
          out += value[i];
        }
      }
      return std::nullopt;  // unterminated quote
    }
    auto semi = value.find(';');
    return std::string(Trim(value.substr(0, semi)));
  }
  return std::nullopt;
}

Error Malformed(const std::string& what) {
  return Error{ErrorKind::kInvalidInput, "request.malformed_multipart",
               "El cuerpo multipart/form-data es inválido: " + what};
}

// Names, file names and plain fields are text a route may store; a file's bytes are not checked.
std::optional<Error> CheckText(const Part& part) {
  auto invalid = [](std::string field) {
    return Error{ErrorKind::kInvalidInput,
                 "invalid_utf8",
                 "El campo «" + field + "» del formulario no es texto UTF-8 válido.",
                 boost::json::object{{"field", field}},
                 {}};
  };
  // The name goes into the message and details: only a plain one is repeated.
  bool plain_name =
      !part.name.empty() && part.name.size() <= 64 && std::all_of(part.name.begin(), part.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
      });
  std::string field = plain_name ? "multipart." + part.name : std::string("multipart");
  if (!IsStorableText(part.name)) return invalid("multipart");
  if (!IsStorableText(part.filename)) return invalid(field + ".filename");
  // Parts named file/files are uploads even without a file name (curl -F file=<x.xml).
  bool is_file = !part.filename.empty() || part.name == "file" || part.name == "files";
  if (!is_file && !IsStorableText(part.data)) return invalid(field);
  return std::nullopt;
}

}  // namespace

std::optional<std::string> MultipartBoundary(std::string_view content_type) {
  auto semi = content_type.find(';');
  if (ToLowerAscii(Trim(content_type.substr(0, semi))) != "multipart/form-data") return std::nullopt;
  auto b = Param(content_type, "boundary");
  if (!b || b->empty() || b->size() > 70) return std::nullopt;
  return b;
}

Result<std::vector<Part>> ParseMultipart(std::string_view body, std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  std::vector<Part> parts;
  auto start = body.find(delimiter);
  if (start == std::string_view::npos) return std::unexpected(Malformed("no aparece el delimitador."));
  size_t pos = start + delimiter.size();
  while (true) {
    if (body.substr(pos, 2) == "--") return parts;  // closing delimiter
    if (body.substr(pos, 2) != "\r\n") return std::unexpected(Malformed("falta CRLF tras el delimitador."));
    pos += 2;
    auto headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos)
      return std::unexpected(Malformed("una parte no tiene encabezados completos."));
    Part part;
    std::string_view headers = body.substr(pos, headers_end - pos);
    bool has_disposition = false;
    while (!headers.empty()) {
      auto eol = headers.find("\r\n");
      auto line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
      auto colon = line.find(':');
      if (colon == std::string_view::npos) return std::unexpected(Malformed("encabezado de parte inválido."));
      auto name = ToLowerAscii(Trim(line.substr(0, colon)));
      auto value = Trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        has_disposition = true;
        part.name = Param(value, "name").value_or("");
        part.filename = Param(value, "filename").value_or("");
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (!has_disposition) return std::unexpected(Malformed("una parte no tiene Content-Disposition."));
    size_t data_start = headers_end + 4;
    auto next = body.find("\r\n" + delimiter, data_start);
    if (next == std::string_view::npos) return std::unexpected(Malformed("falta el delimitador de cierre."));
    part.data = body.substr(data_start, next - data_start);
    if (auto bad = CheckText(part)) return std::unexpected(std::move(*bad));
    parts.push_back(std::move(part));
    pos = next + 2 + delimiter.size();
    if (parts.size() > 10000) return std::unexpected(Malformed("demasiadas partes."));
  }
}

Result<std::vector<UploadedFile>> UploadedFiles(std::string_view content_type, std::string_view body,
                                                std::string body_name) {
  std::vector<UploadedFile> files;
  if (auto boundary = MultipartBoundary(content_type)) {
    VERTICE_ASSIGN_OR_RETURN(auto parts, ParseMultipart(body, *boundary));
    int n = 0;
    for (const auto& p : parts) {
      ++n;
      if (p.filename.empty() && p.name != "file" && p.name != "files") continue;  // other form fields
      files.push_back({p.filename.empty() ? "parte-" + std::to_string(n) : p.filename, p.data});
    }
  } else if (!body.empty()) {
    files.push_back({std::move(body_name), body});
  }
  return files;
}

}  // namespace vertice::http
