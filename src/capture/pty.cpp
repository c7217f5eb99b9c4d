#include "capture/pty.hpp"

#include <fcntl.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>
#include <system_error>

namespace ssetail {

Pty OpenPty(int cols, int rows) {
  winsize size{};
  size.ws_col = static_cast<unsigned short>(cols);
  size.ws_row = static_cast<unsigned short>(rows);
  int master = -1, slave = -1;
  // glibc opens the slave with O_NOCTTY, and a master never becomes a controlling terminal.
  if (::openpty(&master, &slave, nullptr, nullptr, &size) != 0) {
    throw std::system_error(errno, std::generic_category(), "openpty");
  }
  Pty pty{UniqueFd(master), UniqueFd(slave)};
  // Output processing off: the command's "\n" stays "\n" (not "\r\n") for the echo and
  // the splitter alike.
  termios mode{};
  bool ok = ::fcntl(master, F_SETFD, FD_CLOEXEC) == 0 && ::fcntl(slave, F_SETFD, FD_CLOEXEC) == 0 &&
            ::tcgetattr(slave, &mode) == 0;
  if (ok) {
    mode.c_oflag &= ~static_cast<tcflag_t>(OPOST);
    ok = ::tcsetattr(slave, TCSANOW, &mode) == 0;
  }
  if (!ok) throw std::system_error(errno, std::generic_category(), "openpty");
  return pty;
}

std::vector<std::string> TerminalEnvironment(const char* const* env) {
  std::vector<std::string> result;
  bool has_term = false;
  for (; env != nullptr && *env != nullptr; ++env) {
    const std::string_view entry(*env);
    if (entry.starts_with("TERM=")) {
      if (entry.size() == 5) continue;  // empty: replaced below
      has_term = true;
    }
    result.emplace_back(entry);
  }
  if (!has_term) result.push_back(std::string("TERM=") + kPtyTerm);
  return result;
}

}  // namespace ssetail
