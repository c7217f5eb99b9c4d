#include "base/warn.hpp"

#include <doctest/doctest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

using namespace ssetail;

namespace {

// What `write` prints on stderr while it runs.
template <typename Write>
std::string Stderr(Write write) {
  std::fflush(stderr);
  char path[] = "/tmp/ssetail-warn-test-XXXXXX";
  const int file = ::mkstemp(path);
  REQUIRE(file >= 0);
  const int saved = ::dup(2);
  ::dup2(file, 2);
  write();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  std::string out(4096, '\0');
  const ssize_t n = ::pread(file, out.data(), out.size(), 0);
  out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  ::close(file);
  ::unlink(path);
  return out;
}

}  // namespace

TEST_CASE("warn: one line each; held until released, then in order") {
  CHECK(Stderr([] { Warn("disk full"); }) == "ssetail: warning: disk full\n");
  const std::string held = Stderr([] {
    HoldWarnings();
    Warn("first");
    Say("back again");
    std::fputs("ssetail: serving http://127.0.0.1:1/\n", stderr);
    ReleaseWarnings();
  });
  CHECK(held ==
        "ssetail: serving http://127.0.0.1:1/\n"
        "ssetail: warning: first\n"
        "ssetail: back again\n");
}

TEST_CASE("warn: a repeated warning is printed once per interval, saying how many were not") {
  RepeatedWarning repeated(std::chrono::seconds(3600));
  const std::string out = Stderr([&] {
    CHECK(repeated.Warn("bad entry"));
    CHECK_FALSE(repeated.Warn("bad entry"));
    CHECK_FALSE(repeated.Warn("bad entry"));
  });
  CHECK(out == "ssetail: warning: bad entry\n");
  RepeatedWarning often(std::chrono::seconds(0));
  const std::string counted = Stderr([&] {
    CHECK(often.Warn("a"));
    CHECK(often.Warn("b"));
  });
  CHECK(counted == "ssetail: warning: a\nssetail: warning: b\n");
}
