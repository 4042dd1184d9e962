# Every build option in one place; presets set them.
option(VERTICE_WERROR "Treat warnings as errors" OFF)
option(VERTICE_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(VERTICE_COVERAGE "Build with gcov instrumentation" OFF)
option(VERTICE_BUILD_TESTS "Build the test suites" ON)
option(VERTICE_BUILD_BENCH "Build the Google Benchmark programs in bench/" OFF)
set(VERTICE_BUILD_ID "" CACHE STRING "Build identifier reported by --version and /metrics")
