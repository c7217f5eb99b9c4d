#include "capture/supervisor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/system_error.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <system_error>
#include <utility>

#include "base/startup_error.hpp"
#include "base/unique_fd.hpp"
#include "capture/child_process.hpp"
#include "capture/output_reader.hpp"
#include "capture/pty.hpp"
#include "events/run_events.hpp"
#include "text/utf8.hpp"

namespace ssetail {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr auto kPipeGrace = 1s;     // after exit, how long grandchildren may hold the pipes/ptys
constexpr auto kKillAfter = 10s;    // after a forwarded signal, SIGKILL if still running
constexpr auto kClientsGrace = 2s;  // after exit, how long clients get to receive it

// One output stream of the command: ssetail reads `ours`, `theirs` becomes the command's
// stdout or stderr. Both are close-on-exec.
struct Channel {
  UniqueFd ours;
  UniqueFd theirs;
};

Channel MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

Channel MakePty(int cols, int rows) {
  Pty pty = OpenPty(cols, rows);
  return {std::move(pty.master), std::move(pty.slave)};
}

}  // namespace

// The state of one run, from Supervisor::Start to the end of Supervisor::Run.
class Supervisor::RunLoop {
 public:
  RunLoop(History& history, const SupervisorOptions& options, const RunObserver& observer)
      : history_(history),
        options_(options),
        observer_(observer),
        signals_(io_, SIGINT, SIGTERM, SIGHUP),
        grace_timer_(io_),
        kill_timer_(io_),
        after_timer_(io_) {}

  ~RunLoop() {
    if (observer_.set_clients_finished_listener) observer_.set_clients_finished_listener(nullptr);
  }

  // Starts the command (or stdin) and appends `start`.
  void Start() {
    started_ = Clock::now();
    RunStart start{options_.command, std::nullopt, FormatIsoUtc(std::chrono::system_clock::now()),
                   options_.title};
    // Arguments and the title are the user's bytes: JSON (the stream's, the record's) needs
    // valid UTF-8, or the record's `start` line is refused when read back (--view).
    const auto repaired = [](const std::string& text) {
      if (utf8::IsClean(text)) return text;
      std::string out;
      utf8::AppendRepaired(text, out);
      return out;
    };
    if (start.command) {
      for (std::string& arg : *start.command) arg = repaired(arg);
    }
    start.title = repaired(start.title);
    if (options_.command) {
      StartCommand();
      start.pid = child_->pid();
    } else {
      // Stdin mode: ssetail's own stdin is the output, read (and closed at EOF) like a pipe.
      AddReader(UniqueFd(STDIN_FILENO), EventType::Stdout, STDOUT_FILENO);
      status_ = ExitStatus::Exited(0);  // stdin mode ends well at EOF
    }
    {
      History::Writer writer(history_);
      writer.Append(EventType::Start, StartEventData(start), 0);
    }
  }

  int Run() {
    for (auto& reader : readers_) reader->Start([this] { OnReaderDone(); });
    WaitForSignal();
    io_.run();
    return status_->ShellCode();
  }

 private:
  // Starts the command with its stdout and stderr on two pipes, or two ptys, and a reader on
  // each. Throws StartupError when it cannot.
  void StartCommand() {
    Channel out, err;
    try {
      if (options_.pty) {
        out = MakePty(options_.cols, options_.rows);
        err = MakePty(options_.cols, options_.rows);
        terminal_.reset(::fcntl(out.ours.get(), F_DUPFD_CLOEXEC, 0));
        if (!terminal_) throw std::system_error(errno, std::generic_category(), "dup");
      } else {
        out = MakePipe();
        err = MakePipe();
      }
    } catch (const std::system_error& e) {
      throw StartupError(std::string(options_.pty ? "--pty: cannot open a pseudo-terminal"
                                                  : "cannot create a pipe") +
                         ": " + e.code().message());
    }
    LaunchSpec spec;
    spec.executable = options_.executable;
    spec.argv = *options_.command;
    spec.stdout_fd = out.theirs.get();
    spec.stderr_fd = err.theirs.get();
    if (options_.pty) {
      // The stdout pty is the one /dev/tty opens; the child's stdin stays /dev/null.
      spec.controlling_tty = out.theirs.get();
      spec.environment = TerminalEnvironment(environ);
    }
    child_.emplace(io_, spec);
    // The command has its own copies now. Ours would keep the streams open for ever: no EOF
    // on a pipe, and no EIO on a pty master, which comes only once no slave is open.
    out.theirs.reset();
    err.theirs.reset();
    AddReader(std::move(out.ours), EventType::Stdout, STDOUT_FILENO);
    AddReader(std::move(err.ours), EventType::Stderr, STDERR_FILENO);
    child_->AsyncWait([this](ExitStatus status) { OnChildExit(status); });
  }

  void AddReader(UniqueFd fd, EventType type, int echo_fd) {
    readers_.push_back(std::make_unique<OutputReader>(io_, std::move(fd), type, history_, started_,
                                                      options_.echo ? echo_fd : -1));
  }

  void OnChildExit(ExitStatus status) {
    status_ = status;
    if (AllReadersDone()) return FinishRun();
    // Grandchildren may hold the pipes open for as long as they like: do not wait for them.
    grace_timer_.expires_after(kPipeGrace);
    grace_timer_.async_wait([this](const boost::system::error_code& e) {
      if (e) return;
      for (auto& reader : readers_) reader->Stop();
    });
  }

  void OnReaderDone() {
    if (!AllReadersDone()) return;
    if (!options_.command) return FinishRun();  // stdin mode: EOF is the end
    if (status_) FinishRun();
  }

  bool AllReadersDone() const {
    for (const auto& reader : readers_) {
      if (!reader->finished()) return false;
    }
    return true;
  }

  void FinishRun() {
    if (finished_) return;
    finished_ = true;
    grace_timer_.cancel();
    kill_timer_.cancel();
    terminal_.reset();  // the command has exited: its session no longer has a terminal
    // Whatever is left of the group (background jobs) does not outlive the run.
    if (child_) child_->SignalGroup(SIGKILL);
    const auto duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_);
    history_.AppendLast(EventType::Exit, ExitEventData(*status_, duration.count()),
                        static_cast<std::uint32_t>(duration.count()));
    AfterRun();
  }

  void AfterRun() {
    // A signal that stopped the command stops ssetail too: the user asked to quit.
    if (options_.linger_seconds && !signalled_) {
      if (*options_.linger_seconds >= 0) {
        after_timer_.expires_after(std::chrono::seconds(*options_.linger_seconds));
        after_timer_.async_wait([this](const boost::system::error_code& e) {
          if (!e) io_.stop();
        });
      }
      return;  // otherwise until SIGINT/SIGTERM
    }
    // Stop once every client has the final event, or after the grace period.
    after_timer_.expires_after(kClientsGrace);
    after_timer_.async_wait([this](const boost::system::error_code& e) {
      if (!e) io_.stop();
    });
    if (observer_.set_clients_finished_listener) {
      observer_.set_clients_finished_listener([this] { io_.stop(); });  // thread-safe
    }
  }

  void WaitForSignal() {
    signals_.async_wait([this](const boost::system::error_code& e, int signal) {
      if (e) return;
      OnSignal(signal);
      WaitForSignal();
    });
  }

  void OnSignal(int signal) {
    if (finished_) {
      io_.stop();  // the run is over: a signal ends lingering
      return;
    }
    if (!child_) {
      // Stdin mode: a signal ends the input like EOF, but says so.
      status_ = ExitStatus::Killed(signal);
      for (auto& reader : readers_) reader->Stop();
      return;
    }
    if (signal == SIGINT && interrupted_) {
      child_->SignalGroup(SIGKILL);  // a second Ctrl-C means now
      return;
    }
    interrupted_ = interrupted_ || signal == SIGINT;
    signalled_ = true;
    child_->SignalGroup(signal);
    if (!kill_armed_) {
      kill_armed_ = true;
      kill_timer_.expires_after(kKillAfter);
      kill_timer_.async_wait([this](const boost::system::error_code& e) {
        if (!e && child_) child_->SignalGroup(SIGKILL);
      });
    }
  }

  History& history_;
  const SupervisorOptions& options_;
  const RunObserver& observer_;
  asio::io_context io_{1};
  asio::signal_set signals_;
  asio::steady_timer grace_timer_;
  asio::steady_timer kill_timer_;
  asio::steady_timer after_timer_;
  // --pty: a second handle on the master of the command's controlling terminal. Closing the
  // last one hangs the terminal up, which SIGHUPs the command's session; the stdout reader
  // closes its handle at EIO, which comes as soon as the command closes its stdout (coreutils
  // do that just before they exit). This one is closed once the command has exited.
  UniqueFd terminal_;
  std::optional<ChildProcess> child_;
  std::vector<std::unique_ptr<OutputReader>> readers_;
  std::optional<ExitStatus> status_;
  Clock::time_point started_;
  bool finished_ = false;
  bool interrupted_ = false;
  bool signalled_ = false;  // a signal was forwarded to the command
  bool kill_armed_ = false;
};

Supervisor::Supervisor(History& history, SupervisorOptions options, RunObserver observer)
    : history_(history), options_(std::move(options)), observer_(std::move(observer)) {}

Supervisor::~Supervisor() = default;

void Supervisor::Start() {
  try {
    loop_ = std::make_unique<RunLoop>(history_, options_, observer_);
  } catch (const boost::system::system_error& e) {
    // The io_context and signal_set need descriptors of their own.
    throw StartupError("cannot start: " + e.code().message());
  }
  loop_->Start();
}

int Supervisor::Run() {
  if (!loop_) Start();
  return loop_->Run();
}

}  // namespace ssetail
