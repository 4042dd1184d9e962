// libFuzzer targets for the bank statement parsers: any bytes through CSV (profile detection
// and every built-in profile), MT940, OFX or CAMT.053 must end in statements or a clear error —
// never a crash, a leak, undefined behaviour or a hang. One binary per format, chosen at build
// time (-DVERTICE_FUZZ_FORMAT=csv|mt940|ofx|camt); run with `FUZZ_TARGET=mt940 scripts/fuzz`.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bank/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  using namespace vertice::bank;
#if VERTICE_FUZZ_FORMAT_csv
  ParseOptions options;
  options.format = Format::kCsv;
  auto parsed = ParseStatementFile(bytes, options);
#elif VERTICE_FUZZ_FORMAT_mt940
  auto parsed = ParseMt940(bytes);
#elif VERTICE_FUZZ_FORMAT_ofx
  auto parsed = ParseOfx(bytes);
#else
  auto parsed = ParseCamt(bytes);
#endif
  if (parsed) {
    for (const auto& s : parsed->statements) {
      auto balanced = CheckBalances(s);  // exercises the sums over whatever amounts came out
      if (!balanced && balanced.error().code.empty()) __builtin_trap();
      for (const auto& m : s.movements)
        if (m.booking_date.size() != 10) __builtin_trap();  // every movement has an ISO date
      // The per-line check every format shares: what it keeps, the database would store.
      Statement checked = s;
      SkipRefusedLines(checked);
      for (const auto& m : checked.movements)
        if (LineProblem(m)) __builtin_trap();
      if (auto storable = CheckStorable(checked); !storable && storable.error().code.empty()) __builtin_trap();
    }
  } else if (parsed.error().message.empty()) {
    __builtin_trap();  // an error always says what is wrong
  }
  return 0;
}
