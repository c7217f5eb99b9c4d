# SSETAIL_COMMIT: the commit the build is made from (`git rev-parse --short HEAD` at configure
# time, "unknown" outside a git checkout), for `ssetail --version`. Committing or checking
# out another commit re-runs the configure step, so the stamp stays right.
find_package(Git QUIET)
set(SSETAIL_COMMIT "unknown")
if(GIT_FOUND)
  execute_process(
    COMMAND ${GIT_EXECUTABLE} rev-parse --short HEAD
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    OUTPUT_VARIABLE _ssetail_commit
    OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE _ssetail_git_status
    ERROR_QUIET)
  if(_ssetail_git_status EQUAL 0 AND _ssetail_commit)
    set(SSETAIL_COMMIT "${_ssetail_commit}")
    # Re-configure when HEAD moves: HEAD itself (checkout) and the ref it names (commit).
    execute_process(
      COMMAND ${GIT_EXECUTABLE} rev-parse --path-format=absolute --git-path HEAD
              --git-path logs/HEAD
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      OUTPUT_VARIABLE _ssetail_git_files
      OUTPUT_STRIP_TRAILING_WHITESPACE
      ERROR_QUIET)
    string(REPLACE "\n" ";" _ssetail_git_files "${_ssetail_git_files}")
    foreach(_file IN LISTS _ssetail_git_files)
      if(EXISTS "${_file}")
        set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
                                                                     "${_file}")
      endif()
    endforeach()
  endif()
endif()
message(STATUS "ssetail commit: ${SSETAIL_COMMIT}")

# The definition goes with SSETAIL_VERSION: to every target compiled with it, which is the
# one holding the --version flag (the ssetail executable today; a library if options.cpp
# moves into one), wherever in the source tree it is defined.
function(_ssetail_targets_in directory out)
  get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirectories DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
  foreach(subdirectory IN LISTS subdirectories)
    _ssetail_targets_in(${subdirectory} more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()
_ssetail_targets_in(${PROJECT_SOURCE_DIR} _ssetail_targets)
set(_ssetail_stamped "")
foreach(_target IN LISTS _ssetail_targets)
  get_target_property(_definitions ${_target} COMPILE_DEFINITIONS)
  if(_definitions MATCHES "(^|;)SSETAIL_VERSION=")
    target_compile_definitions(${_target} PRIVATE SSETAIL_COMMIT="${SSETAIL_COMMIT}")
    list(APPEND _ssetail_stamped ${_target})
  endif()
endforeach()
if(NOT _ssetail_stamped)
  message(FATAL_ERROR "No target is compiled with SSETAIL_VERSION: where is --version defined?")
endif()
