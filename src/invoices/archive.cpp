#include "invoices/archive.hpp"

#include <zip.h>

#include "core/text.hpp"

namespace vertice::invoices {

namespace {
Error ZipError(const std::string& what) {
  return Error{ErrorKind::kInvalidInput, "invoices.bad_archive", "El ZIP no se puede leer: " + what};
}
}  // namespace

bool LooksLikeZip(std::string_view bytes) {
  return bytes.starts_with(std::string_view("PK\x03\x04", 4)) || bytes.starts_with(std::string_view("PK\x05\x06", 4));
}

bool HasXmlName(std::string_view name) {
  return name.size() > 4 && ToLowerAscii(name.substr(name.size() - 4)) == ".xml";
}

void ZipReader::Closer::operator()(zip* z) const {
  if (z) zip_discard(z);
}

Result<ZipReader> ZipReader::OpenFile(const std::string& path) {
  int err = 0;
  zip* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (!z) {
    zip_error_t e;
    zip_error_init_with_code(&e, err);
    auto msg = std::string(zip_error_strerror(&e));
    zip_error_fini(&e);
    return std::unexpected(ZipError(msg));
  }
  return ZipReader(z);
}

Result<ZipReader> ZipReader::OpenMemory(std::string_view bytes) {
  zip_error_t e;
  zip_error_init(&e);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &e);
  if (!src) {
    auto msg = std::string(zip_error_strerror(&e));
    zip_error_fini(&e);
    return std::unexpected(ZipError(msg));
  }
  zip* z = zip_open_from_source(src, ZIP_RDONLY, &e);
  if (!z) {
    zip_source_free(src);
    auto msg = std::string(zip_error_strerror(&e));
    zip_error_fini(&e);
    return std::unexpected(ZipError(msg));
  }
  zip_error_fini(&e);
  return ZipReader(z);
}

size_t ZipReader::Size() const {
  auto n = zip_get_num_entries(zip_.get(), 0);
  return n < 0 ? 0 : static_cast<size_t>(n);
}

std::string ZipReader::Name(size_t index) const {
  const char* name = zip_get_name(zip_.get(), index, ZIP_FL_ENC_GUESS);
  return name ? name : "";
}

bool ZipReader::IsDirectory(size_t index) const {
  auto name = Name(index);
  return name.empty() || name.back() == '/';
}

Result<ImportFile> ZipReader::Read(size_t index, std::string_view archive_name) const {
  ImportFile out;
  out.name = std::string(archive_name) + "/" + Name(index);
  zip_file_t* f = zip_fopen_index(zip_.get(), index, 0);
  if (!f) return std::unexpected(ZipError(std::string(zip_strerror(zip_.get())) + " (" + out.name + ")"));
  char buf[65536];
  while (true) {
    auto n = zip_fread(f, buf, sizeof buf);
    if (n < 0) {
      zip_fclose(f);
      return std::unexpected(ZipError("entrada dañada (" + out.name + ")"));
    }
    if (n == 0) break;
    out.bytes.append(buf, static_cast<size_t>(n));
    if (out.bytes.size() > kMaxEntryBytes) {  // the declared size is not trusted
      zip_fclose(f);
      return std::unexpected(ZipError("una entrada descomprimida excede 32 MiB (" + out.name + ")"));
    }
  }
  zip_fclose(f);
  return out;
}

}  // namespace vertice::invoices
