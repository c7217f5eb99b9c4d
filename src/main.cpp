// ssetail: wiring only. Parse options, start serving the history, run the command into it,
// and exit with the command's status (SPEC §1). Every layer reports a fatal start-up error
// by throwing StartupError; this is the one place that prints it.
#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "base/startup_error.hpp"
#include "base/warn.hpp"
#include "capture/child_process.hpp"
#include "capture/supervisor.hpp"
#include "comparing/hosted_compare.hpp"
#include "comparing/other_record.hpp"
#include "comparing/run_comparer.hpp"
#include "history/history.hpp"
#include "index/terminal_report.hpp"
#include "indexer/run_indexer.hpp"
#include "options.hpp"
#include "record/run_record.hpp"
#include "redis/publisher.hpp"
#include "redis/relay_catalog.hpp"
#include "run/open_runs.hpp"
#include "serve/access_control.hpp"
#include "serve/http_server.hpp"
#include "view/file_watch.hpp"
#include "view/record_viewer.hpp"

namespace {

using namespace ssetail;

constexpr std::uint64_t kDefaultTemporaryRecordMax = std::uint64_t{1} << 30;  // SPEC §8

// The RUN part of event ids: a client's Last-Event-ID from another run must not match.
std::string RandomRunId() {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device device;
  std::uniform_int_distribution<int> pick(0, 35);
  std::string id;
  for (int i = 0; i < 8; ++i) id.push_back(kAlphabet[pick(device)]);
  return id;
}

std::string CommandLine(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line.push_back(' ');
    const bool plain = !arg.empty() && arg.find_first_of(" \t\"'\\$`") == std::string::npos;
    line += plain ? arg : "'" + arg + "'";
  }
  return line;
}

std::string UrlHost(const std::string& address) {
  return address.find(':') != std::string::npos ? "[" + address + "]" : address;
}

SupervisorOptions RunOptions(const Options& options) {
  SupervisorOptions run;
  run.echo = !options.quiet;
  run.linger_seconds = options.linger_seconds;
  run.pty = options.pty;
  run.cols = options.cols;
  run.rows = options.rows;
  if (options.command.empty()) {
    if (::isatty(STDIN_FILENO)) {
      throw StartupError("no COMMAND given and stdin is a terminal; try: ssetail -- make");
    }
    run.title = options.title.empty() ? "stdin" : options.title;
  } else {
    run.executable = ResolveCommand(options.command.front());
    run.command = options.command;
    run.title = options.title.empty() ? CommandLine(options.command) : options.title;
  }
  return run;
}

// Each stream holds a descriptor, and so does each connection being answered. Past the
// descriptor limit httplib cannot accept (it retries, and the excess clients wait in the
// listen backlog, unanswered): --max-clients stays below it, so they get 503 instead.
std::size_t ClientsWithinDescriptorLimit(std::size_t max_clients) {
  constexpr std::size_t kReserved = 32;  // listening socket, epoll, pipes, connections answered
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return max_clients;
  }
  const auto descriptors = static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t fit = descriptors > 2 * kReserved ? descriptors - kReserved : descriptors / 2;
  return std::max<std::size_t>(1, std::min(max_clients, fit));
}

ServerOptions ServeOptions(const Options& options) {
  ServerOptions serve{
      options.bind_address,      options.port, ClientsWithinDescriptorLimit(options.max_clients),
      options.heartbeat_seconds, {},           options.source_url,
      options.source_roots};
  serve.access.token = ReadToken(options);
  serve.access.loopback_only = IsLoopbackAddress(options.bind_address);
  serve.access.cors_origins = options.cors_origins;
  return serve;
}

std::unique_ptr<Publisher> MakePublisher(const Options& options, const History& history,
                                         const RunRecord* record) {
  if (!options.publish_url) return nullptr;
  PublishOptions publish{*ParseRedisUrl(*options.publish_url), options.publish_ttl_seconds};
  return std::make_unique<Publisher>(history, record, std::move(publish));
}

std::unique_ptr<RunRecord> MakeRecord(const Options& options, History& history) {
  if (options.no_record) return nullptr;
  // Initialised, not assigned: assigning save_path draws a false g++ 12 warning here.
  const char* tmpdir = std::getenv("TMPDIR");
  RecordOptions record{options.save_path, tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp",
                       options.record_max_bytes};
  if (!record.max_bytes && !record.save_path) record.max_bytes = kDefaultTemporaryRecordMax;
  return std::make_unique<RunRecord>(history, std::move(record));
}

// --compare FILE: the other run read whole now (a bad file is 125 before anything starts).
std::optional<OtherRecord> ReadCompared(const Options& options) {
  if (!options.compare_path) return std::nullopt;
  return ReadOtherRecord(*options.compare_path);
}

// The run followed into the comparison. Made before the server (which answers GET /compare
// from it, SetCompare) and so destroyed after it.
std::unique_ptr<RunComparer> MakeComparer(std::optional<OtherRecord> other, History& history,
                                          const RunRecord* record, const RunIndexer& indexer) {
  if (!other) return nullptr;
  return std::make_unique<RunComparer>(history, record, indexer, std::move(*other));
}

void ServeCompare(HttpServer& server, RunComparer* comparer) {
  if (comparer) server.SetCompare([comparer] { return comparer->Answer(); });
}

// The run's indexer (SPEC §12), made: StartIndexing starts its thread.
std::unique_ptr<RunIndexer> MakeIndexer(const Options& options, const History& history,
                                        const RunRecord* record, Publisher* publisher,
                                        bool summary) {
  // Its Wakeup (an eventfd) and its thread may not be had (out of descriptors): 125.
  std::unique_ptr<RunIndexer> indexer;
  try {
    indexer = std::make_unique<RunIndexer>(history, record, index::IndexOptions{options.sections});
  } catch (const std::system_error& e) {
    throw StartupError(e.what());
  }
  if (publisher != nullptr) {
    // Called outside the index's lock: reading the first error here is safe.
    indexer->SetCountsListener([publisher, self = indexer.get()](const index::Counts& counts) {
      const std::uint64_t first_error = self->Read([](const index::RunIndex& index) {
        const index::Problem* error = index.FirstError();
        return error != nullptr ? error->seq - 1 : 0;  // line N is event N + 1
      });
      publisher->SetProblemCounts(counts.errors, counts.warnings, first_error);
    });
  }
  if (summary) {
    // Once the command has ended (also while --linger serves on): after its output.
    const bool annotate = options.github_annotations;
    indexer->SetFinishedListener([annotate](const index::RunIndex& index) {
      std::string out = index::SummaryLine(index);
      if (annotate) out += index::GitHubAnnotations(index);
      std::fputs(out.c_str(), stderr);
      std::fflush(stderr);
    });
  }
  return indexer;
}

// Its thread, which reads the run while it is served.
void StartIndexing(RunIndexer& indexer) {
  try {
    indexer.Start();
  } catch (const std::system_error& e) {
    throw StartupError(e.what());
  }
}

// What serves one run of this process, a command's or a record's: its record, its
// publisher (--publish, a command's run only), its index, its comparison (--compare) and the
// HTTP server over them. Members are destroyed in reverse: the server first (its streams
// read the rest), the record last.
struct LocalRun {
  std::unique_ptr<RunRecord> record;
  std::unique_ptr<Publisher> publisher;
  std::unique_ptr<RunIndexer> indexer;
  std::unique_ptr<RunComparer> comparer;
  std::unique_ptr<HttpServer> server;
  int port = 0;

  // The readers' threads (index, comparison), once whatever forks has forked (see RunCommand).
  void StartReaders() {
    StartIndexing(*indexer);
    if (comparer) comparer->Start();
  }
};

// Makes the run's parts and starts serving and recording it.
LocalRun ServeLocalRun(const Options& options, History& history, const ServerOptions& serve,
                       bool publish, bool summary, std::optional<OtherRecord> compared) {
  LocalRun run;
  run.record = MakeRecord(options, history);
  if (publish) run.publisher = MakePublisher(options, history, run.record.get());
  run.indexer = MakeIndexer(options, history, run.record.get(), run.publisher.get(), summary);
  run.comparer = MakeComparer(std::move(compared), history, run.record.get(), *run.indexer);
  run.server = std::make_unique<HttpServer>(history, run.record.get(), serve);
  run.server->SetIndexer(run.indexer.get());
  ServeCompare(*run.server, run.comparer.get());
  run.port = run.server->Start();
  if (run.record) run.record->Start();
  return run;
}

void PrintServing(const ServerOptions& serve, int port, std::size_t max_clients_asked) {
  // The token appears here and nowhere else in ssetail's output.
  const std::string query = serve.access.token ? "?token=" + UrlEncode(*serve.access.token) : "";
  std::fprintf(stderr, "ssetail: serving http://%s:%d/%s\n", UrlHost(serve.bind_address).c_str(),
               port, query.c_str());
  ReleaseWarnings();  // kept since the start: the serving line comes first
  if (serve.max_clients < max_clients_asked) {
    Warn("at most " + std::to_string(serve.max_clients) +
         " clients: ulimit -n leaves no descriptors for --max-clients " +
         std::to_string(max_clients_asked));
  }
  if (!serve.access.loopback_only && !serve.access.token) {
    Warn(serve.bind_address +
         " is not a loopback address and no token is set: anyone who can reach this port can "
         "read the output (see --token-file)");
  }
}

// Runs the command (or reads stdin) into the history: SPEC §1-§3.
int RunCommand(const Options& options) {
  const SupervisorOptions run = RunOptions(options);
  const ServerOptions serve = ServeOptions(options);
  std::optional<OtherRecord> compared = ReadCompared(options);

  History history(RandomRunId(), {options.history_events, options.history_bytes});
  const bool summary = !options.quiet && !options.no_summary;
  LocalRun served = ServeLocalRun(options, history, serve, true, summary, std::move(compared));
  RunRecord* const record = served.record.get();
  Publisher* const publisher = served.publisher.get();
  HttpServer& server = *served.server;
  RunObserver observer{[&server](std::function<void()> listener) {
    server.SetAllClientsFinishedListener(std::move(listener));
  }};
  Supervisor supervisor(history, run, std::move(observer));
  supervisor.Start();
  // The run's readers start only now that the command runs (the launcher returns once it
  // has exec'd): a thread that allocates while the launcher forks can leave a lock held in
  // the child, where Boost.Asio's fork notification allocates before exec (glibc's malloc is
  // safe across fork, the sanitizers' allocators are not). Both read the run from its first
  // event anyway.
  served.StartReaders();
  // A reader of --save's file never finds it empty (SPEC §8).
  if (record) record->WaitWritten(1);
  PrintServing(serve, served.port, options.max_clients);
  if (publisher) publisher->Start();  // its warnings come after the serving line

  const int status = supervisor.Run();
  // The summary and the publisher's counts come from the finished index: a moment after the
  // exit, bounded. A plain run needing neither does not wait for it.
  if (summary || publisher)
    served.indexer->WaitFinished(RunIndexer::Clock::now() + std::chrono::seconds(1));
  // SPEC §10: at most 5 s more for Redis to get the rest of the run.
  if (publisher) publisher->Finish(std::chrono::seconds(5));
  if (!server.Stop()) {
    // A client stopped reading in the middle of a response: do not wait out its write
    // timeout (SPEC §1: ssetail never hangs on a stuck client). Nothing else is pending:
    // the record was written before any client saw an event.
    std::fflush(nullptr);
    std::_Exit(status);
  }
  return status;
}

// SIGINT, SIGTERM and SIGHUP, blocked in this thread and every thread started after: they
// are waited for with sigtimedwait.
sigset_t BlockEndSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, signal);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Serves every run published to Redis (SPEC §10) until SIGINT, SIGTERM or SIGHUP.
int RelayRuns(const Options& options) {
  sigset_t signals = BlockEndSignals();
  const ServerOptions serve = ServeOptions(options);
  RelayOptions relay{*ParseRedisUrl(*options.relay_url),
                     {{options.history_events, options.history_bytes},
                      std::nullopt,
                      index::IndexOptions{options.sections}}};
  if (!options.no_record) {  // each run a temporary record, as a local run has
    RecordOptions& record = relay.run.record.emplace();
    const char* tmpdir = std::getenv("TMPDIR");
    if (tmpdir != nullptr && *tmpdir != '\0') record.temp_dir = tmpdir;
    record.max_bytes = options.record_max_bytes.value_or(kDefaultTemporaryRecordMax);
  }
  RedisRunCatalog catalog(std::move(relay));
  OpenRuns runs(catalog, std::chrono::seconds(options.relay_idle_seconds));
  HttpServer server(runs, serve);  // destroyed first: its streams use the runs
  server.SetRunsCompare(CompareHostedRuns);
  const int port = server.Start();
  PrintServing(serve, port, options.max_clients);
  while (sigwaitinfo(&signals, nullptr) < 0) {
  }
  if (!server.Stop()) {
    std::fflush(nullptr);
    std::_Exit(0);
  }
  return 0;
}

// --view F --save F would truncate F before reading it (issue 19.5): refused, whichever
// names (links) the two paths use.
void RefuseSavingOverTheView(const Options& options) {
  struct stat view {
  }, save{};
  if (!options.save_path || ::stat(options.save_path->c_str(), &save) != 0 ||
      ::stat(options.view_path->c_str(), &view) != 0) {
    return;
  }
  if (view.st_dev == save.st_dev && view.st_ino == save.st_ino) {
    throw StartupError("--save " + *options.save_path +
                       " is the file --view reads: saving would "
                       "destroy it; save to another file");
  }
}

// Serves a record (SPEC §9) until SIGINT, SIGTERM or SIGHUP; follows it while it grows. The
// main thread sleeps until the file is written to or a signal comes (FileWatch), and every
// read stops between two pieces once a signal came: a signal ends --view within about a
// second (spec: "Viewing a record"), whatever it is reading.
int ViewRecord(const Options& options) {
  const sigset_t signals = BlockEndSignals();
  const ServerOptions serve = ServeOptions(options);
  RecordViewer viewer(*options.view_path);
  RefuseSavingOverTheView(options);
  std::optional<OtherRecord> compared = ReadCompared(options);
  FileWatch watch(*options.view_path, signals);
  const RecordViewer::Interrupted interrupted = [&watch] { return watch.Signalled(); };
  // A FIFO may have no writer yet: wait for its first line, or a signal.
  while (!viewer.ReadFirstLine(interrupted)) {
    if (watch.Signalled() || !watch.Wait()) return 0;
  }
  History history(viewer.run_id(), {options.history_events, options.history_bytes});
  LocalRun served = ServeLocalRun(options, history, serve, false, false, std::move(compared));
  served.StartReaders();                       // no command is started here
  viewer.ReadAvailable(history, interrupted);  // a file that is not a record: 125, not served
  if (!watch.Signalled()) {
    PrintServing(serve, served.port, options.max_clients);
    bool following = true;
    while (following && !viewer.finished() && watch.Wait()) {
      try {
        viewer.ReadAvailable(history, interrupted);
      } catch (const StartupError& e) {
        Warn(std::string(e.what()) + "; no longer following it");
        following = false;
      }
    }
    watch.WaitForSignal();
  }
  if (!served.server->Stop()) {
    std::fflush(nullptr);
    std::_Exit(0);
  }
  return 0;
}

int Main(int argc, char** argv) {
  // An inherited SIGCHLD=SIG_IGN would make the kernel reap the child and lose its status.
  std::signal(SIGCHLD, SIG_DFL);
  // A record past the file size limit is a write error (EFBIG), not the end of ssetail.
  // (The command gets default dispositions back: see child_process.cpp.)
  std::signal(SIGXFSZ, SIG_IGN);
  HoldWarnings();  // until the serving line (PrintServing)

  const std::optional<Options> options = ParseOptions(argc, argv);
  if (!options) return 0;  // --help or --version
  if (options->relay_url) return RelayRuns(*options);
  return options->view_path ? ViewRecord(*options) : RunCommand(*options);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int status = Main(argc, argv);
    ReleaseWarnings();  // a signal may have come before the serving line
    return status;
  } catch (const StartupError& e) {
    ReleaseWarnings();
    std::fprintf(stderr, "ssetail: %s\n", e.what());
    return e.status();
  }
}
