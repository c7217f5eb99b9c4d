#include "capture/child_process.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "base/startup_error.hpp"

namespace ssetail {

namespace bp = boost::process::v2;
namespace asio = boost::asio;

namespace {

bool IsExecutableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Runs in the child between fork and exec: only async-signal-safe calls here.
struct ChildSetup {
  pid_t parent;
  int controlling_tty;
  const char* const* environment;  // null: ssetail's own

  // Runs in ssetail before the fork. The launcher takes `environ` when it is created and
  // hands its `env` to execve, so this is the one place to give the command another one.
  boost::system::error_code on_setup(bp::posix::default_launcher& launcher,
                                     const bp::filesystem::path&, const char* const*) {
    if (environment != nullptr) launcher.env = environment;
    return {};
  }

  boost::system::error_code on_exec_setup(bp::posix::default_launcher&, const bp::filesystem::path&,
                                          const char* const*) {
    if (controlling_tty >= 0) {
      // A new session makes the child a session and process-group leader at once.
      if (::setsid() == -1 || ::ioctl(controlling_tty, TIOCSCTTY, 0) == -1) {
        return {errno, boost::system::system_category()};
      }
    } else if (::setpgid(0, 0) == -1) {
      return {errno, boost::system::system_category()};
    }
    // If ssetail is SIGKILLed the command gets SIGTERM; the getppid check closes the race
    // with a parent that died before prctl. (prctl cannot fail with a valid signal.)
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(128 + SIGTERM);
    // Dispositions set to "ignore" (httplib ignores SIGPIPE) and the mask survive exec.
    // signal() fails (EINVAL) only for the numbers glibc keeps for itself: skipped as well.
    for (int sig = 1; sig < NSIG; ++sig) {
      if (sig != SIGKILL && sig != SIGSTOP) ::signal(sig, SIG_DFL);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);  // cannot fail with a valid set
    // Boost 1.81's own fd closing misses descriptors below its error pipe; marking all of
    // them close-on-exec keeps that pipe working and leaks nothing (sockets, pipe ends).
    if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
      return {errno, boost::system::system_category()};  // a kernel older than 5.11
    }
    return {};
  }
};

}  // namespace

std::string ResolveCommand(const std::string& name) {
  auto check = [&name](const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      throw StartupError(StartupError::kCommandNotFound, name + ": " + std::strerror(errno));
    }
    if (S_ISDIR(st.st_mode))
      throw StartupError(StartupError::kNotExecutable, name + ": Is a directory");
    if (::access(path.c_str(), X_OK) != 0) {
      throw StartupError(StartupError::kNotExecutable, name + ": Permission denied");
    }
    return path;
  };
  if (name.empty()) throw StartupError(StartupError::kCommandNotFound, "'': command not found");
  if (name.find('/') != std::string::npos) return check(name);
  const char* env_path = std::getenv("PATH");
  const std::string path_list = env_path != nullptr ? env_path : "/usr/local/bin:/usr/bin:/bin";
  std::optional<std::string> not_executable;
  for (std::size_t begin = 0; begin <= path_list.size();) {
    std::size_t end = path_list.find(':', begin);
    if (end == std::string::npos) end = path_list.size();
    std::string dir = path_list.substr(begin, end - begin);
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (IsExecutableFile(candidate)) return candidate;
    struct stat st {};
    if (!not_executable && ::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      not_executable = candidate;
    }
    begin = end + 1;
  }
  if (not_executable)
    throw StartupError(StartupError::kNotExecutable, name + ": Permission denied");
  throw StartupError(StartupError::kCommandNotFound, name + ": command not found");
}

struct ChildProcess::Impl {
  bp::process process;
};

ChildProcess::ChildProcess(asio::io_context& io, const LaunchSpec& spec) {
  std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
  std::vector<const char*> environment;
  if (spec.environment) {
    for (const auto& entry : *spec.environment) environment.push_back(entry.c_str());
    environment.push_back(nullptr);
  }
  try {
    // process_stdio must be a temporary: a named one keeps the pipes' write ends open until it
    // dies (Boost 1.81), so no EOF would come. Raw fds are not closed by it.
    impl_.reset(new Impl{bp::process(io.get_executor(), bp::filesystem::path(spec.executable), args,
                                     bp::process_stdio{nullptr, spec.stdout_fd, spec.stderr_fd},
                                     ChildSetup{::getpid(), spec.controlling_tty,
                                                spec.environment ? environment.data() : nullptr})});
  } catch (const boost::system::system_error& e) {
    const int err = e.code().value();
    std::string reason = std::strerror(err);
    if (err == EMFILE || err == ENFILE || err == EAGAIN || err == ENOMEM) {
      // Out of descriptors, processes or memory: ssetail failed, not the command.
      throw StartupError("cannot start " + spec.argv[0] + ": " + reason);
    }
    // execve's ENOENT for an existing file means its interpreter is missing (bash says 126).
    if (err == ENOENT && ::access(spec.executable.c_str(), F_OK) == 0) {
      reason = "bad interpreter or missing loader";
    }
    const bool found = ::access(spec.executable.c_str(), F_OK) == 0;
    throw StartupError(found ? StartupError::kNotExecutable : StartupError::kCommandNotFound,
                       spec.argv[0] + ": " + reason);
  }
  pid_ = impl_->process.id();
  // Set the group from the parent side too, so signalling right away cannot race the child.
  // (The launcher returns only once the child has exec'd, so a setsid() is done already; a
  // session leader's group cannot be set anyway.)
  // EACCES once it has exec'd and done so itself: either way the group is set.
  if (spec.controlling_tty < 0) ::setpgid(pid_, pid_);
}

ChildProcess::~ChildProcess() {
  // bp::process would SIGKILL only the leader if it were still running; we own the group.
  if (impl_) impl_->process.detach();
}

void ChildProcess::SignalGroup(int signal) const {
  // ESRCH: the group is gone already, which is what the signal was for.
  if (pid_ > 0) ::kill(-pid_, signal);
}

void ChildProcess::AsyncWait(std::function<void(ExitStatus)> done) {
  impl_->process.async_wait([this, done = std::move(done)](const boost::system::error_code&, int) {
    // native_exit_code tells `exit 15` from death by SIGTERM; exit_code() does not.
    done(ExitStatus::FromWaitStatus(impl_->process.native_exit_code()));
  });
}

}  // namespace ssetail
