# ASan + UBSan for dev and CI; gcov for coverage (ci and coverage presets).
add_library(vertice_sanitizers INTERFACE)
if(VERTICE_SANITIZE)
  target_compile_options(vertice_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(vertice_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
# Coverage rides on the build type's optimisation (the ci preset's -O1 next to ASan, so CI runs the
# tests once for both; the coverage preset is Debug, -O0). Counters update atomically: the server
# and the tests are multi-threaded.
if(VERTICE_COVERAGE)
  target_compile_options(vertice_sanitizers INTERFACE --coverage -fprofile-update=atomic)
  target_link_options(vertice_sanitizers INTERFACE --coverage)
endif()
