# Declarative helpers: a module is a static library rooted at src/ with the house warnings.
function(vertice_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS" ${ARGN})
  add_library(vertice_${name} STATIC ${ARG_SOURCES})
  target_include_directories(vertice_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src ${PROJECT_BINARY_DIR}/src)
  target_link_libraries(vertice_${name} PUBLIC ${ARG_DEPENDS} PRIVATE vertice_warnings vertice_sanitizers)
  target_link_libraries(vertice_${name} INTERFACE vertice_sanitizers)
endfunction()

# A GoogleTest executable registered with CTest under a label (unit, integration, api).
function(vertice_add_test name)
  cmake_parse_arguments(ARG "SERIAL" "LABEL" "SOURCES;DEPENDS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPENDS} GTest::gtest GTest::gtest_main
                        vertice_warnings vertice_sanitizers)
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABEL}" TIMEOUT 600)
  if(ARG_SERIAL)
    set_tests_properties(${name} PROPERTIES RUN_SERIAL TRUE)
  endif()
endfunction()
