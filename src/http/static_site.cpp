#include "http/static_site.hpp"

#include <array>
#include <fstream>
#include <sstream>
#include <utility>

namespace vertice::http {
namespace {

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string ContentType(const std::string& ext) {
  static const std::array<std::pair<std::string_view, std::string_view>, 16> kTypes{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"},  // the React Server Components payloads
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".xml", "application/xml"},
  }};
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return std::string(type);
  }
  return "application/octet-stream";
}

bool AcceptsGzip(std::string_view accept_encoding) {
  // "gzip" listed and not refused with q=0 (clients that refuse it say so explicitly).
  auto at = accept_encoding.find("gzip");
  if (at == std::string_view::npos) return false;
  auto rest = accept_encoding.substr(at + 4);
  auto comma = rest.find(',');
  auto params = rest.substr(0, comma);
  return params.find("q=0") == std::string_view::npos || params.find("q=0.") != std::string_view::npos;
}

}  // namespace

Result<StaticSite> StaticSite::Load(const std::filesystem::path& root) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(root / "index.html", ec)) {
    return Fail(ErrorKind::kUnavailable, "web.not_built", "No web build at " + root.string() + " (no index.html).");
  }
  StaticSite site;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root, ec)) {
    if (!entry.is_regular_file()) continue;
    auto rel = std::filesystem::relative(entry.path(), root).generic_string();
    if (rel.ends_with(".gz")) continue;  // attached to their originals below
    File f;
    f.content_type = ContentType(entry.path().extension().string());
    f.body = ReadFile(entry.path());
    auto gz = entry.path();
    gz += ".gz";
    if (std::filesystem::is_regular_file(gz, ec)) f.gzip = ReadFile(gz);
    f.immutable = rel.starts_with("_next/static/");
    site.bytes_ += f.body.size() + (f.gzip ? f.gzip->size() : 0);
    site.files_.emplace("/" + rel, std::move(f));
  }
  if (ec) return Fail(ErrorKind::kUnavailable, "web.unreadable", "Cannot read " + root.string() + ": " + ec.message());
  return site;
}

bool StaticSite::Handles(const Request& request) {
  if (request.method != "GET" && request.method != "HEAD") return false;
  const auto& p = request.path;
  return !p.starts_with("/api/") && p != "/api" && p != "/healthz" && p != "/readyz" && p != "/metrics";
}

const StaticSite::File* StaticSite::Find(const std::string& path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

Response StaticSite::Reply(const Request& request, const File& file, int status) const {
  Response r;
  r.status = status;
  r.content_type = file.content_type;
  // Hashed assets never change under their name; pages must be revalidated so a deploy shows.
  r.SetHeader("Cache-Control", file.immutable ? "public, max-age=31536000, immutable" : "no-cache");
  r.SetHeader("X-Content-Type-Options", "nosniff");
  if (file.content_type.starts_with("text/html")) {
    r.SetHeader("X-Frame-Options", "DENY");
    r.SetHeader("Referrer-Policy", "same-origin");
  }
  if (file.gzip) {
    r.SetHeader("Vary", "Accept-Encoding");
    if (AcceptsGzip(request.Header("accept-encoding"))) {
      r.SetHeader("Content-Encoding", "gzip");
      r.body = *file.gzip;
      return r;
    }
  }
  r.body = file.body;
  return r;
}

Response StaticSite::Serve(const Request& request) const {
  std::string path = request.path.empty() ? "/" : request.path;
  // Nothing outside the export (the table holds only its files, but say so plainly).
  const bool escapes = path.find("..") != std::string::npos || path.find('\\') != std::string::npos;
  // The file itself, then the page of a route (/reportes → reportes.html), then the nearest
  // page above it: client-side routes (e.g. /facturas/ABC) fall back to their page.
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (const File* f = escapes ? nullptr : Find(path)) return Reply(request, *f, 200);
  for (std::string p = path; !escapes && !p.starts_with("/_next/");) {  // a missing asset is a 404, not a page
    if (p == "/") {
      if (const File* f = Find("/index.html")) return Reply(request, *f, 200);
      break;
    }
    if (const File* f = Find(p + ".html")) return Reply(request, *f, 200);
    if (const File* f = Find(p + "/index.html")) return Reply(request, *f, 200);
    auto slash = p.rfind('/');
    if (slash == 0 || slash == std::string::npos) break;  // an unknown top-level route is not the dashboard
    p.resize(slash);
  }
  if (const File* f = Find("/404.html")) return Reply(request, *f, 404);
  Response r;
  r.status = 404;
  r.content_type = "text/plain; charset=utf-8";
  r.body = "No encontrado.";
  return r;
}

}  // namespace vertice::http
