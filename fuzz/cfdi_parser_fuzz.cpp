// libFuzzer target: any bytes through the CFDI parser and rules must end in a document or a
// finding — never a crash, a leak, undefined behaviour or a hang. Run with scripts/fuzz.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cfdi/rules.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto checked = vertice::cfdi::Check(std::string_view(reinterpret_cast<const char*>(data), size));
  if (checked.Accepted() && checked.document->conceptos.size() > 100000) __builtin_trap();  // keeps the result used
  return 0;
}
