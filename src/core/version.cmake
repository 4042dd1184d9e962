# Build-time step (cmake -P) of the vertice_version target: writes version.gen.cpp with the
# project's version, HEAD's commit and whether tracked files differ from it. configure_file leaves
# the output untouched when the text is the same, so an unchanged tree relinks nothing.
#   cmake -DSOURCE_DIR= -DTEMPLATE= -DOUTPUT= -DVERSION= [-DBUILD_ID=] -P version.cmake
set(VERTICE_VERSION "${VERSION}")
set(VERTICE_COMMIT "")
set(VERTICE_DIRTY false)
find_program(GIT_EXECUTABLE git)
# Only the checkout's own .git (a directory, or a file in a worktree): a source tarball unpacked
# inside some other repository must not report that repository's commit.
if(GIT_EXECUTABLE AND EXISTS "${SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --short HEAD WORKING_DIRECTORY "${SOURCE_DIR}"
                  OUTPUT_VARIABLE commit RESULT_VARIABLE rc OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(rc EQUAL 0)
    set(VERTICE_COMMIT "${commit}")
    # Tracked files only (index or work tree against HEAD); untracked files do not make a build dirty.
    execute_process(COMMAND "${GIT_EXECUTABLE}" diff --quiet HEAD -- WORKING_DIRECTORY "${SOURCE_DIR}"
                    RESULT_VARIABLE diff ERROR_QUIET)
    if(NOT diff EQUAL 0)
      set(VERTICE_DIRTY true)
    endif()
  endif()
endif()
if(NOT "${BUILD_ID}" MATCHES "^[A-Za-z0-9._+~:/ -]*$")
  message(FATAL_ERROR "VERTICE_BUILD_ID '${BUILD_ID}' may hold only letters, digits, spaces and ._+~:/-")
endif()
if(NOT "${BUILD_ID}" STREQUAL "")
  set(VERTICE_BUILD_ID_VALUE "${BUILD_ID}")
elseif(VERTICE_COMMIT)
  set(VERTICE_BUILD_ID_VALUE "git ${VERTICE_COMMIT}")
  if(VERTICE_DIRTY)
    string(APPEND VERTICE_BUILD_ID_VALUE "-dirty")
  endif()
else()
  set(VERTICE_BUILD_ID_VALUE "")
endif()
configure_file("${TEMPLATE}" "${OUTPUT}" @ONLY)
