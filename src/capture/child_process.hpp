// Starting the command and ending it (SPEC §1 "Signals and lifetime").
//
// The child gets stdin on /dev/null, the given stdout/stderr descriptors, its own process
// group (with a pty: its own session, whose controlling terminal the pty is), default signal
// dispositions, an empty signal mask, no descriptor of ours but 0-2, and SIGTERM if ssetail
// dies. Boost.Process v2 does the fork/exec; the hygiene it lacks in 1.81 (docs/libraries.md)
// is done in our own exec-setup initializer.
#pragma once

#include <sys/types.h>

#include <boost/asio/io_context.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "events/run_events.hpp"

namespace ssetail {

// Finds `name` on PATH (or takes it as a path when it holds a '/'), the way a shell would,
// and returns its path. Throws StartupError (126 or 127) when there is nothing to run.
std::string ResolveCommand(const std::string& name);

struct LaunchSpec {
  std::string executable;         // resolved path
  std::vector<std::string> argv;  // argv[0] as the user typed it, then the arguments
  int stdout_fd = -1;             // the child's ends; the caller closes them after Launch
  int stderr_fd = -1;
  int controlling_tty = -1;  // pty mode: new session with this terminal as its controller
  // "NAME=value" entries; nullopt: ssetail's own environment.
  std::optional<std::vector<std::string>> environment;
};

class ChildProcess {
 public:
  // Throws StartupError when exec fails: 126 or 127 (missing interpreter, permissions, ...),
  // 125 when ssetail is out of descriptors, processes or memory.
  ChildProcess(boost::asio::io_context& io, const LaunchSpec& spec);
  ~ChildProcess();

  pid_t pid() const { return pid_; }

  // Sends `signal` to the command's whole process group.
  void SignalGroup(int signal) const;

  // Calls `done` once the command (the group leader) has exited.
  void AsyncWait(std::function<void(ExitStatus)> done);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  pid_t pid_ = -1;
};

}  // namespace ssetail
