# Compiler warnings applied to every Vértice target (not to third-party code).
add_library(vertice_warnings INTERFACE)
target_compile_options(vertice_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
  -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2 -Wno-missing-field-initializers
  # GCC 12 false positives at -O1+ (Asio's coroutine frame allocator, libstdc++ <regex> and std::string, PR105329).
  -Wno-mismatched-new-delete -Wno-maybe-uninitialized -Wno-restrict
  $<$<BOOL:${VERTICE_WERROR}>:-Werror>)
