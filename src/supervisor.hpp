// Runs one capture from start to `exit` and then decides when ssetail may stop
// (SPEC §1 "Signals and lifetime", §2.3).
//
// Everything happens on one thread with one asio io_context: the child's exit, both
// output readers, the grace and kill timers and the signals SIGINT/SIGTERM/SIGHUP.
// The HTTP side is not known here; it only reads the History.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "history.hpp"

namespace ssetail {

struct SupervisorOptions {
  std::optional<std::vector<std::string>> command;  // nullopt: stdin mode
  std::string executable;                           // resolved path of command[0]
  std::string title;
  bool echo = true;
  bool pty = false;  // the command's stdout and stderr are two pseudo-terminals (SPEC §2.4)
  int cols = 120;
  int rows = 40;
  // After exit: nullopt = stop once clients have `exit` (2 s at most); -1 = until a signal;
  // N >= 0 = N more seconds (or a signal).
  std::optional<int> linger_seconds;
};

class Supervisor {
 public:
  // `clients_done` tells whether every connected client has received the final event.
  Supervisor(History& history, SupervisorOptions options, std::function<bool()> clients_done);

  // Returns ssetail's exit status: the command's, 128+N, or 126/127 when it cannot start.
  int Run();

 private:
  History& history_;
  SupervisorOptions options_;
  std::function<bool()> clients_done_;
};

}  // namespace ssetail
