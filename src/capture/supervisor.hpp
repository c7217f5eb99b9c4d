// Runs one capture from start to `exit` and then decides when ssetail may stop
// (SPEC §1 "Signals and lifetime", §2.3).
//
// Everything happens on one thread with one asio io_context: the child's exit, both
// output readers, the grace and kill timers and the signals SIGINT/SIGTERM/SIGHUP.
// The HTTP side is not known here: it reads the History, and hears of the rest through
// RunObserver.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events/run_events.hpp"
#include "history/history.hpp"

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

// What the run tells the serving side, and asks of it.
struct RunObserver {
  // Sets (null: removes) a listener called, from any thread, each time every connected
  // client has received the final event, and at once if that is so already.
  std::function<void(std::function<void()>)> set_clients_finished_listener;
};

class Supervisor {
 public:
  Supervisor(History& history, SupervisorOptions options, RunObserver observer);
  ~Supervisor();

  // Starts the command and appends the `start` event. Throws StartupError when the
  // command cannot start (125, 126, 127).
  void Start();

  // Runs the command to its end (starting it first if Start was not called) and returns
  // ssetail's exit status: the command's, or 128+N.
  int Run();

 private:
  class RunLoop;
  History& history_;
  SupervisorOptions options_;
  RunObserver observer_;
  std::unique_ptr<RunLoop> loop_;
};

}  // namespace ssetail
