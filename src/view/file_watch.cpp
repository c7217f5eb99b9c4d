#include "view/file_watch.hpp"

#include <linux/magic.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/statfs.h>

#include <cerrno>
#include <cstring>

#include "base/startup_error.hpp"

namespace ssetail {

namespace {

constexpr int kLookEveryMs = 1000;  // without inotify (see the header)

// File systems whose files other hosts write without inotify hearing of it.
bool IsNetworkFileSystem(const std::string& path) {
  constexpr long kCifs = 0xFF534D42, kSmb2 = 0xFE534D42;
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return false;
  const long type = static_cast<long>(fs.f_type);
  return type == NFS_SUPER_MAGIC || type == SMB_SUPER_MAGIC || type == kCifs || type == kSmb2;
}

}  // namespace

FileWatch::FileWatch(const std::string& path, const sigset_t& signals)
    : signals_(::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC)) {
  if (!signals_) throw StartupError(std::string("signalfd: ") + std::strerror(errno));
  if (IsNetworkFileSystem(path)) return;
  UniqueFd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  // Written to (a FIFO too), closed after writing, replaced or truncated (attributes).
  constexpr std::uint32_t kChanges = IN_MODIFY | IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVE_SELF;
  if (inotify && ::inotify_add_watch(inotify.get(), path.c_str(), kChanges) >= 0) {
    inotify_ = std::move(inotify);
  }
}

bool FileWatch::Signalled() {
  return !Poll(0, false);
}

bool FileWatch::Wait() {
  return Poll(notified() ? -1 : kLookEveryMs, true);
}

void FileWatch::WaitForSignal() {
  while (Poll(-1, false)) {
  }
}

bool FileWatch::Poll(int timeout_ms, bool file) {
  if (signal_ != 0) return false;
  pollfd fds[2] = {{signals_.get(), POLLIN, 0}, {inotify_.get(), POLLIN, 0}};
  const nfds_t count = file && notified() ? 2 : 1;
  if (::poll(fds, count, timeout_ms) < 0 && errno != EINTR) return true;
  if (fds[0].revents != 0) {
    signalfd_siginfo info{};
    if (::read(signals_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
      signal_ = static_cast<int>(info.ssi_signo);
      return false;
    }
  }
  if (count == 2 && fds[1].revents != 0) {
    // What changed does not matter: the reader reads on from where it is.
    alignas(inotify_event) char events[4096];
    while (::read(inotify_.get(), events, sizeof events) > 0) {
    }
  }
  return true;
}

}  // namespace ssetail
