# The layering rules of cmake/VerticeTargets.cmake on a small table (cmake -P; ctest cmake_layering).
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/../../cmake/VerticeTargets.cmake)

set(layers
  "base: core"
  "data over base: db"
  "transport over base: http"
  "services over data: shared freshness"
  "domain over services transport: cfdi invoices vertical_*"
  "edges over domain: api")

function(expect module dependency outcome)
  vertice_layering_error("${layers}" "domain" ${module} ${dependency} error)
  if(outcome STREQUAL "allowed" AND NOT error STREQUAL "")
    message(FATAL_ERROR "${module} -> ${dependency}: expected allowed, got: ${error}")
  elseif(outcome STREQUAL "refused" AND error STREQUAL "")
    message(FATAL_ERROR "${module} -> ${dependency}: expected refused")
  endif()
endfunction()

expect(db core allowed)
expect(shared core allowed)            # through data
expect(api core allowed)               # through every layer below
expect(vertical_cpg http allowed)      # a prefix member; domain is over transport
expect(invoices cfdi allowed)          # domain is open: its members use each other
expect(core db refused)                # upward
expect(db api refused)
expect(freshness http refused)         # services are not over transport
expect(shared freshness refused)       # a closed layer's members stay apart
expect(db unknown refused)             # every module must have a layer
expect(unknown core refused)
message(STATUS "layering rules: all expectations hold")
