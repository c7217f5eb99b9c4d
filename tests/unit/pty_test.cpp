#include "capture/pty.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <vector>

using namespace ssetail;

namespace {

std::vector<std::string> Env(std::vector<const char*> entries) {
  entries.push_back(nullptr);
  return TerminalEnvironment(entries.data());
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("pty environment: TERM=xterm-256color only when TERM is unset or empty") {
  CHECK(Env({"PATH=/bin", "HOME=/h"}) == Strings{"PATH=/bin", "HOME=/h", "TERM=xterm-256color"});
  CHECK(Env({"PATH=/bin", "TERM=dumb", "HOME=/h"}) == Strings{"PATH=/bin", "TERM=dumb", "HOME=/h"});
  CHECK(Env({"TERM=", "A=1"}) == Strings{"A=1", "TERM=xterm-256color"});
  CHECK(Env({"TERMINAL=kitty", "XTERM=1"}) ==
        Strings{"TERMINAL=kitty", "XTERM=1", "TERM=xterm-256color"});
  CHECK(Env({}) == Strings{"TERM=xterm-256color"});
  CHECK(TerminalEnvironment(nullptr) == Strings{"TERM=xterm-256color"});
  CHECK(Env({"A=x=y", "B="}) == Strings{"A=x=y", "B=", "TERM=xterm-256color"});
}

TEST_CASE("pty: window size, close-on-exec, output as written, then EIO with nothing lost") {
  Pty pty;
  try {
    pty = OpenPty(80, 24);
  } catch (const std::system_error& e) {
    FAIL("no pseudo-terminal: " << e.what());
  }
  CHECK(::isatty(pty.slave.get()) == 1);
  CHECK((::fcntl(pty.master.get(), F_GETFD) & FD_CLOEXEC) != 0);
  CHECK((::fcntl(pty.slave.get(), F_GETFD) & FD_CLOEXEC) != 0);
  winsize size{};
  REQUIRE(::ioctl(pty.slave.get(), TIOCGWINSZ, &size) == 0);
  CHECK(size.ws_col == 80);
  CHECK(size.ws_row == 24);
  termios mode{};
  REQUIRE(::tcgetattr(pty.slave.get(), &mode) == 0);
  CHECK((mode.c_oflag & OPOST) == 0);

  // The child's last words, then it is gone: the master gives them all, then EIO.
  const std::string written = "one\ntwo\r\nthree\rpartial";
  REQUIRE(::write(pty.slave.get(), written.data(), written.size()) ==
          static_cast<ssize_t>(written.size()));
  pty.slave.reset();
  std::string read;
  char buffer[64];
  ssize_t n;
  // Each read waits at most 10 s: a master that never reports EIO fails the test, not hangs.
  for (;;) {
    pollfd ready{pty.master.get(), POLLIN, 0};
    REQUIRE(::poll(&ready, 1, 10000) == 1);
    n = ::read(pty.master.get(), buffer, sizeof buffer);
    if (n <= 0) break;
    read.append(buffer, static_cast<std::size_t>(n));
  }
  CHECK(n == -1);
  CHECK(errno == EIO);
  CHECK(read == written);
}

TEST_CASE("pty: each call gives a distinct terminal") {
  const Pty a = OpenPty(120, 40);
  const Pty b = OpenPty(120, 40);
  CHECK(a.master.get() != b.master.get());
  CHECK(std::string(::ttyname(a.slave.get())) != std::string(::ttyname(b.slave.get())));
}
