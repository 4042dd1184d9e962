// ZIP archives of CFDI — what SAT's bulk download (descarga masiva) returns — read entry by
// entry with libzip, from a file or from memory, with limits against zip bombs.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "invoices/importer.hpp"

struct zip;

namespace vertice::invoices {

bool LooksLikeZip(std::string_view bytes);
bool HasXmlName(std::string_view name);

class ZipReader {
 public:
  static constexpr size_t kMaxEntryBytes = 32 * 1024 * 1024;  // no real CFDI comes near

  static Result<ZipReader> OpenFile(const std::string& path);
  // `bytes` must outlive the reader.
  static Result<ZipReader> OpenMemory(std::string_view bytes);

  size_t Size() const;
  bool IsDirectory(size_t index) const;
  std::string Name(size_t index) const;
  // The entry's bytes, named "<archive>/<entry>"; an entry over kMaxEntryBytes or unreadable is an error.
  Result<ImportFile> Read(size_t index, std::string_view archive_name) const;

 private:
  struct Closer {
    void operator()(zip* z) const;
  };
  explicit ZipReader(zip* z) : zip_(z) {}
  std::unique_ptr<zip, Closer> zip_;
};

}  // namespace vertice::invoices
