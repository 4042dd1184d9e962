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

# A vertical: one folder under src/verticals/ (docs/style.md, "Where code goes"). Creates vertice_vertical_<name>
# from its sources, and records for the generated registry its migrations/ folder and its
# sql/universal_contribution.sql (the rows it adds to universal_transactions_mv).
# vertice_add_vertical(NAME cpg SOURCES vertical.cpp routes.cpp [DEPENDS extra-targets])
function(vertice_add_vertical)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;DEPENDS" ${ARGN})
  if(NOT ARG_NAME MATCHES "^[a-z][a-z0-9_]*$")
    message(FATAL_ERROR "vertical name '${ARG_NAME}' must be lower-case letters, digits and _")
  endif()
  get_filename_component(folder "${CMAKE_CURRENT_SOURCE_DIR}" NAME)
  if(NOT folder STREQUAL ARG_NAME)
    message(FATAL_ERROR "vertical '${ARG_NAME}' must live in src/verticals/${ARG_NAME}/ (found in ${folder}/)")
  endif()
  vertice_add_module(vertical_${ARG_NAME} SOURCES ${ARG_SOURCES} DEPENDS vertice_vertical_sdk ${ARG_DEPENDS})
  set_property(GLOBAL APPEND PROPERTY VERTICE_VERTICALS ${ARG_NAME})
  set_property(GLOBAL PROPERTY VERTICE_VERTICAL_DIR_${ARG_NAME} "${CMAKE_CURRENT_SOURCE_DIR}")
endfunction()
