// Pseudo-terminals for --pty (SPEC §2.4): the command's stdout and stderr are the slave
// sides of two of them, so it sees a terminal on both and the streams stay apart; ssetail
// reads the masters like pipes.
//
// Plain POSIX, no asio: the environment rule is pure and unit tested, and so are the
// properties of an opened pty that the capture relies on.
#pragma once

#include <string>
#include <vector>

#include "base/unique_fd.hpp"

namespace ssetail {

inline constexpr const char* kPtyTerm = "xterm-256color";

struct Pty {
  UniqueFd master;  // ssetail's end: reads give the command's bytes, then EIO once no slave is open
  UniqueFd slave;   // the command's stdout or stderr
};

// Opens a pseudo-terminal with a `cols` x `rows` window and output post-processing off
// (OPOST cleared: no LF -> CRLF), so the master reads exactly the bytes the command wrote,
// as a pipe would. Both ends are close-on-exec and neither becomes ssetail's controlling
// terminal. Throws std::system_error (generic category) with the errno when the system has
// none to give: no /dev/ptmx (ENOENT), all in use (ENOSPC), out of descriptors (EMFILE), ...
Pty OpenPty(int cols, int rows);

// The command's environment under --pty: `env` (a null-terminated array, like `environ`)
// with TERM=xterm-256color when TERM is unset or empty; every other entry kept, in order.
std::vector<std::string> TerminalEnvironment(const char* const* env);

}  // namespace ssetail
