// The web app's static export (web/out, Next.js `output: 'export'`), held in memory and served
// at `/`: content types, long-lived caching for hashed assets and revalidation for pages, the
// build's precompressed `.gz` twins when the client accepts gzip, and client-side routes falling
// back to the nearest page. Written by hand because no Debian library serves files over Beast;
// it is a lookup table, not a file server (no directory listings, nothing outside the export).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/error.hpp"
#include "http/message.hpp"

namespace vertice::http {

class StaticSite {
 public:
  // Reads every file under `root` (the export is a few megabytes). Fails when `root` has no
  // index.html: a half-built export must not be served.
  static Result<StaticSite> Load(const std::filesystem::path& root);

  // GET or HEAD of a path outside /api/ and the operational endpoints.
  static bool Handles(const Request& request);
  Response Serve(const Request& request) const;

  size_t Files() const { return files_.size(); }
  size_t Bytes() const { return bytes_; }

 private:
  struct File {
    std::string content_type;
    std::string body;
    std::optional<std::string> gzip;  // the precompressed twin, when the build made one
    bool immutable = false;           // hashed file names under /_next/static/
  };
  const File* Find(const std::string& path) const;
  Response Reply(const Request& request, const File& file, int status) const;

  std::unordered_map<std::string, File> files_;  // by URL path ("/index.html", "/_next/…")
  size_t bytes_ = 0;
};

}  // namespace vertice::http
