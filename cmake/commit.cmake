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
# On the whole executable: today the version flag is defined in one of its sources
# (options.cpp); the definition follows that file wherever it moves within the target.
target_compile_definitions(ssetail PRIVATE SSETAIL_COMMIT="${SSETAIL_COMMIT}")
