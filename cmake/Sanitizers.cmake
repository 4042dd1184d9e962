# ASan + UBSan for dev and CI; gcov for coverage.
add_library(vertice_sanitizers INTERFACE)
if(VERTICE_SANITIZE)
  target_compile_options(vertice_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(vertice_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
if(VERTICE_COVERAGE)
  target_compile_options(vertice_sanitizers INTERFACE --coverage -O0)
  target_link_options(vertice_sanitizers INTERFACE --coverage)
endif()
