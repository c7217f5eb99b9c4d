// The HTTP interface of SPEC §4 on cpp-httplib: the page, /events, /status, /log and
// /search (SPEC §11). A relay (SPEC §10) serves the runs OpenRuns gives it the same way,
// each under /runs/RUN/, and lists them.
//
// It reads Histories and nothing else, so tests can drive it by appending events.
// httplib answers each request on a thread of its ConnectionServer; an /events request,
// once its headers are sent, hands its connection to the StreamPump, which writes every
// stream (of every run) from one thread, each a cursor into its History.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "history/history.hpp"
#include "indexer/run_indexer.hpp"
#include "record/run_record.hpp"
#include "run/open_runs.hpp"
#include "serve/access_control.hpp"
#include "serve/run_endpoints.hpp"
#include "serve/stream_pump.hpp"
#include "serve/stream_slots.hpp"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace ssetail {

class ConnectionServer;

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  int port = 8642;
  std::size_t max_clients = 256;
  int heartbeat_seconds = 15;
  AccessPolicy access;                    // its cookie name gets the port appended once bound
  std::string source_url;                 // --source-url, for the page (in /status); empty: none
  std::vector<std::string> source_roots;  // --source-root, for the page (in /status)
};

class HttpServer {
 public:
  // `record` (may be null) is the run's record, read by clients that want older events
  // than memory holds, and by /log.
  HttpServer(History& history, const RunRecord* record, ServerOptions options);
  // A relay: the runs `runs` opens (it must outlive the server).
  HttpServer(OpenRuns& runs, ServerOptions options);
  ~HttpServer();

  // Binds and starts serving on a thread of its own. Returns the bound port.
  // Throws StartupError with a one-line reason when it cannot.
  int Start();

  // Ends every stream (a last chunk where the client takes it at once) and stops serving.
  // A request still being answered to a client that stopped reading is not waited for
  // longer than `patience`: returns false if one is, and then the process must end without
  // destroying the server (see main).
  bool Stop(std::chrono::milliseconds patience = std::chrono::milliseconds(500));

  // GET /compare's body (SPEC §14), built on the request's thread; unset: /compare is 404.
  // Before Start.
  void SetCompare(std::function<std::string()> answer) { compare_ = std::move(answer); }
  // A relay's /runs/RUN/compare?with=RUN2: RUN's History and record, then RUN2's. Unset: 404.
  using RunsCompare = std::function<std::string(const History&, const RunRecord*, const History&,
                                                const RunRecord*)>;
  void SetRunsCompare(RunsCompare answer) { runs_compare_ = std::move(answer); }

  // The local run's indexer (SPEC §12), before Start: /problems, /sections, /status's index.
  void SetIndexer(const RunIndexer* indexer) { indexer_ = indexer; }

  // See StreamSlots::SetAllFinishedListener.
  void SetAllClientsFinishedListener(std::function<void()> listener) {
    slots_.SetAllFinishedListener(std::move(listener));
  }

 private:
  HttpServer(History* history, const RunRecord* record, OpenRuns* runs, ServerOptions options);
  void Route();
  void RouteRelay();
  // /runs/RUN/WHAT: the run opened (or 404, or 503), then one of its endpoints or the page.
  void ServeRelayed(const std::string& id, const std::string& what, const httplib::Request& req,
                    httplib::Response& res);
  void ServeRelayedCompare(const std::string& id, HostedRun& run, const httplib::Request& req,
                           httplib::Response& res);

  History* history_ = nullptr;  // the local run; null in a relay
  const RunRecord* record_ = nullptr;
  const RunIndexer* indexer_ = nullptr;  // the local run's; may be null
  OpenRuns* runs_ = nullptr;             // a relay's runs
  ServerOptions options_;
  PumpOptions pump_options_;
  StreamSlots slots_;
  std::unique_ptr<StreamPump> pump_;         // every stream, of every run
  std::unique_ptr<RunEndpoints> endpoints_;  // the local run's
  std::function<std::string()> compare_;     // --compare's answer, if any
  RunsCompare runs_compare_;                 // a relay's
  std::unique_ptr<ConnectionServer> server_;
  std::thread thread_;
  std::mutex stopped_mutex_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;  // listen_after_bind has returned
};

}  // namespace ssetail
