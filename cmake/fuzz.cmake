# libFuzzer targets (tests/fuzz), in a build directory of their own:
#   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++-14 -DSSETAIL_FUZZ=ON \
#         -DSSETAIL_SANITIZE=address,undefined -DBUILD_TESTING=OFF
#   cmake --build build-fuzz --target fuzz && ctest --test-dir build-fuzz -R fuzz
# Included after src/, so that it can instrument the libraries the targets link.
option(SSETAIL_FUZZ "Build the libFuzzer targets of tests/fuzz (needs clang)" OFF)
if(NOT SSETAIL_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "SSETAIL_FUZZ needs clang for libFuzzer: -DCMAKE_CXX_COMPILER=clang++-14")
endif()
enable_testing()  # the fuzz.* tests, also with -DBUILD_TESTING=OFF
add_subdirectory(tests/fuzz)
