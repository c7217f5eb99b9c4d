// What `--view`'s main thread waits for (SPEC §9): the file it follows to be written to, or
// one of the end signals. No timer: it sleeps in poll(2) on an inotify descriptor watching
// the file and a signalfd for the signals, and wakes only when one of them has something.
//
// On a network file system (NFS, CIFS/SMB), where inotify does not see what other hosts
// write, and where inotify cannot be had, it falls back to looking every second.
//
// One owner thread (main's). The signals must be blocked in every thread (they are consumed
// here, not delivered).
#pragma once

#include <signal.h>

#include <string>

#include "base/unique_fd.hpp"

namespace ssetail {

class FileWatch {
 public:
  // Watches `path` (already opened by the reader) and `signals`. Throws StartupError when no
  // signalfd can be had.
  FileWatch(const std::string& path, const sigset_t& signals);

  // Sleeps until the file may have changed or a signal came. False once a signal came.
  bool Wait();
  // Sleeps until a signal comes (the file is no longer followed).
  void WaitForSignal();
  // True once a signal came; looks without waiting. Cheap enough between two reads.
  bool Signalled();
  // The number of the signal that came, 0 before.
  int signal() const { return signal_; }
  // True when growth is seen by inotify, false when looked for every second.
  bool notified() const { return inotify_.get() >= 0; }

 private:
  bool Poll(int timeout_ms, bool file);  // false once a signal came

  UniqueFd signals_;
  UniqueFd inotify_;
  int signal_ = 0;
};

}  // namespace ssetail
