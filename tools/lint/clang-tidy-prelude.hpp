// Force-included by scripts/lint into every clang-tidy run. GCC 12's libstdc++ only declares
// std::expected when __cpp_concepts >= 202002L, which clang 16 does not yet advertise although it
// parses everything <expected> uses; without this clang-tidy cannot parse src/core/error.hpp.
#pragma clang diagnostic ignored "-Wmacro-redefined"
#pragma clang diagnostic ignored "-Wbuiltin-macro-redefined"
#undef __cpp_concepts
#define __cpp_concepts 202002L
