# CPack: `cpack -G DEB` in the build directory (or `cmake --build . --target package`) makes
# ssetail_VERSION_ARCH.deb from the install rules of cmake/install.cmake, installed under /usr.
# Included from the top-level CMakeLists.txt, after cmake/install.cmake.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "ssetail")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "${SSETAIL_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "run a command and stream its output to browsers over Server-Sent Events")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
# Install the binary stripped: the package carries no debug information.
set(CPACK_STRIP_FILES ON)

# Debian: the control file's fields.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # ssetail_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SSETAIL_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION "utils")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Depends: computed from the binary's libraries by dpkg-shlibdeps (package dpkg-dev).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The synopsis above, then this extended description (CPack indents it as the control
# file wants; lines of at most 80 columns).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "ssetail runs a command, captures its stdout and stderr line by line and
serves a small web page plus a Server-Sent Events stream that sends every
line, as it happens, to any number of browsers and curl clients. It can
also stream a pipe (journalctl -f | ssetail).

The output still reaches the terminal byte for byte, the command's exit
status is passed through, late clients get the history replayed, dropped
connections resume exactly (Last-Event-ID), and memory stays bounded
however many clients watch and however slow they are. The page is embedded
in the binary. It listens on 127.0.0.1 by default; a token protects runs
shared on a network.")

include(CPack)
