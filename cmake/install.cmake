# `cmake --install`: the binary, its man page, shell completions and documentation, in the
# GNU layout under CMAKE_INSTALL_PREFIX. Included from the top-level CMakeLists.txt.
include(GNUInstallDirs)
include(${CMAKE_CURRENT_LIST_DIR}/commit.cmake)

# Directories 0755 whatever the umask (Debian policy; lintian checks the .deb).
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

install(TARGETS ssetail RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The man page, gzipped as Debian policy wants: -9 (best), -n (no name or time stamp, so the
# result is reproducible).
find_program(SSETAIL_GZIP gzip REQUIRED)
set(SSETAIL_GZ_DIR ${PROJECT_BINARY_DIR}/install-files)
set(SSETAIL_MAN_GZ ${SSETAIL_GZ_DIR}/ssetail.1.gz)
add_custom_command(
  OUTPUT ${SSETAIL_MAN_GZ}
  COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/docs/ssetail.1 ${SSETAIL_GZ_DIR}/ssetail.1
  COMMAND ${SSETAIL_GZIP} -9nf ${SSETAIL_GZ_DIR}/ssetail.1
  DEPENDS ${PROJECT_SOURCE_DIR}/docs/ssetail.1
  COMMENT "Compressing the man page"
  VERBATIM)

# A minimal changelog.gz in the Debian changelog format (lintian wants one in every package;
# a native package's is changelog.gz). Its date is the commit's, so rebuilds are identical.
set(SSETAIL_CHANGELOG_DATE "")
if(GIT_FOUND AND NOT SSETAIL_COMMIT STREQUAL "unknown")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C TZ=UTC ${GIT_EXECUTABLE} log -1
            "--date=format-local:%a, %d %b %Y %H:%M:%S +0000" --format=%cd HEAD
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    OUTPUT_VARIABLE SSETAIL_CHANGELOG_DATE
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET)
endif()
if(NOT SSETAIL_CHANGELOG_DATE)
  string(TIMESTAMP SSETAIL_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
endif()
set(SSETAIL_MAINTAINER "ssetail maintainers <maintainers@ssetail.example>"
    CACHE STRING "Maintainer (name <email>) of the .deb and of its changelog")
configure_file(${PROJECT_SOURCE_DIR}/packaging/deb/changelog.in ${SSETAIL_GZ_DIR}/changelog.in
               @ONLY)
set(SSETAIL_CHANGELOG_GZ ${SSETAIL_GZ_DIR}/changelog.gz)
add_custom_command(
  OUTPUT ${SSETAIL_CHANGELOG_GZ}
  COMMAND ${CMAKE_COMMAND} -E copy ${SSETAIL_GZ_DIR}/changelog.in ${SSETAIL_GZ_DIR}/changelog
  COMMAND ${SSETAIL_GZIP} -9nf ${SSETAIL_GZ_DIR}/changelog
  DEPENDS ${SSETAIL_GZ_DIR}/changelog.in
  COMMENT "Compressing the changelog"
  VERBATIM)

# Made with the binary, so that building the ssetail target is enough for `cmake --install`.
add_custom_target(ssetail_install_files ALL DEPENDS ${SSETAIL_MAN_GZ} ${SSETAIL_CHANGELOG_GZ})
add_dependencies(ssetail ssetail_install_files)

install(FILES ${SSETAIL_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

install(FILES ${PROJECT_SOURCE_DIR}/completions/ssetail.bash
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/bash-completion/completions RENAME ssetail)
install(FILES ${PROJECT_SOURCE_DIR}/completions/_ssetail
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/zsh/vendor-completions)
install(FILES ${PROJECT_SOURCE_DIR}/completions/ssetail.fish
        DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/fish/vendor_completions.d)

# share/doc/ssetail: README.md and LICENSE; `copyright` (the license in Debian's
# machine-readable format) and changelog.gz, which Debian policy wants there.
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE
              ${PROJECT_SOURCE_DIR}/packaging/deb/copyright ${SSETAIL_CHANGELOG_GZ}
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
