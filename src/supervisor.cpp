#include "supervisor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <csignal>
#include <cstdio>
#include <memory>

#include "child_process.hpp"
#include "output_reader.hpp"
#include "run_events.hpp"

namespace ssetail {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr auto kPipeGrace = 1s;     // after exit, how long grandchildren may hold the pipes
constexpr auto kKillAfter = 10s;    // after a forwarded signal, SIGKILL if still running
constexpr auto kClientsGrace = 2s;  // after exit, how long clients get to receive it

struct Pipe {
  int read = -1;
  int write = -1;
};

Pipe MakePipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe");
  return {fds[0], fds[1]};
}

// The state of one run, alive for the duration of Supervisor::Run.
class RunLoop {
 public:
  RunLoop(History& history, const SupervisorOptions& options, std::function<bool()> clients_done)
      : history_(history),
        options_(options),
        clients_done_(std::move(clients_done)),
        signals_(io_, SIGINT, SIGTERM, SIGHUP),
        grace_timer_(io_),
        kill_timer_(io_),
        after_timer_(io_) {}

  int Run() {
    started_ = Clock::now();
    const std::string started_iso = FormatIsoUtc(std::chrono::system_clock::now());
    std::optional<long> pid;
    if (options_.command) {
      Pipe out = MakePipe(), err = MakePipe();
      LaunchSpec spec{options_.executable, *options_.command, out.write, err.write, -1};
      try {
        child_.emplace(io_, spec);
      } catch (const CommandError& e) {
        std::fprintf(stderr, "ssetail: %s\n", e.message.c_str());
        return e.exit_code;
      }
      ::close(out.write);
      ::close(err.write);
      pid = child_->pid();
      AddReader(out.read, EventType::Stdout, STDOUT_FILENO);
      AddReader(err.read, EventType::Stderr, STDERR_FILENO);
      child_->AsyncWait([this](ExitStatus status) { OnChildExit(status); });
    } else {
      AddReader(STDIN_FILENO, EventType::Stdout, STDOUT_FILENO);
      status_ = ExitStatus::Exited(0);  // stdin mode ends well at EOF
    }
    {
      History::Writer writer(history_);
      writer.Append(EventType::Start,
                    StartEventData(options_.command, pid, started_iso, options_.title), 0);
    }
    for (auto& reader : readers_) reader->Start([this] { OnReaderDone(); });
    WaitForSignal();
    io_.run();
    return status_->ShellCode();
  }

 private:
  void AddReader(int fd, EventType type, int echo_fd) {
    readers_.push_back(std::make_unique<OutputReader>(io_, fd, type, history_, started_,
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
    clients_deadline_ = Clock::now() + kClientsGrace;
    PollClients();
  }

  void PollClients() {
    if (clients_done_() || Clock::now() >= clients_deadline_) {
      io_.stop();
      return;
    }
    after_timer_.expires_after(10ms);
    after_timer_.async_wait([this](const boost::system::error_code& e) {
      if (!e) PollClients();
    });
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
  std::function<bool()> clients_done_;
  asio::io_context io_{1};
  asio::signal_set signals_;
  asio::steady_timer grace_timer_;
  asio::steady_timer kill_timer_;
  asio::steady_timer after_timer_;
  std::optional<ChildProcess> child_;
  std::vector<std::unique_ptr<OutputReader>> readers_;
  std::optional<ExitStatus> status_;
  Clock::time_point started_;
  Clock::time_point clients_deadline_;
  bool finished_ = false;
  bool interrupted_ = false;
  bool signalled_ = false;  // a signal was forwarded to the command
  bool kill_armed_ = false;
};

}  // namespace

Supervisor::Supervisor(History& history, SupervisorOptions options,
                       std::function<bool()> clients_done)
    : history_(history), options_(std::move(options)), clients_done_(std::move(clients_done)) {}

int Supervisor::Run() {
  RunLoop loop(history_, options_, clients_done_);
  return loop.Run();
}

}  // namespace ssetail
