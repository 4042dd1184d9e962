// SHA-256 as lower-case hex (libsodium): file fingerprints, duplicate detection, migration
// checksums — one definition.
#pragma once

#include <string>
#include <string_view>

namespace vertice {

std::string Sha256Hex(std::string_view bytes);

}  // namespace vertice
