// The HTTP interface of SPEC §4 on cpp-httplib: the page, /events, /status, /log and
// /search (SPEC §11). A relay (SPEC §10) serves many runs the same way, each under
// /runs/RUN/, and lists them.
//
// It reads the History and nothing else, so tests can drive it by appending events.
// httplib answers each request on a thread of its ConnectionServer; an /events request,
// once its headers are sent, hands its connection to the StreamPump, which writes every
// stream from one thread, each a cursor into the History.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "history/history.hpp"
#include "record/run_record.hpp"
#include "serve/access_control.hpp"
#include "serve/run_catalog.hpp"
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
  AccessPolicy access;     // its cookie name gets the port appended once bound
  std::string source_url;  // --source-url, for the page (in /status); empty: none
};

class HttpServer {
 public:
  // `record` (may be null) is the run's record, read by clients that want older events
  // than memory holds, and by /log.
  HttpServer(History& history, const RunRecord* record, ServerOptions options);
  // A relay: the runs of `catalog` (which must outlive the server).
  HttpServer(RunCatalog& catalog, ServerOptions options);
  ~HttpServer();

  // Binds and starts serving on a thread of its own. Returns the bound port.
  // Throws StartupError with a one-line reason when it cannot.
  int Start();

  // Ends every stream (a last chunk where the client takes it at once) and stops serving.
  // A request still being answered to a client that stopped reading is not waited for
  // longer than `patience`: returns false if one is, and then the process must end without
  // destroying the server (see main).
  bool Stop(std::chrono::milliseconds patience = std::chrono::milliseconds(500));

  // See StreamSlots::SetAllFinishedListener.
  void SetAllClientsFinishedListener(std::function<void()> listener) {
    slots_.SetAllFinishedListener(std::move(listener));
  }

 private:
  HttpServer(History* history, const RunRecord* record, RunCatalog* catalog, ServerOptions options);
  void Route();
  void RouteRelay();
  struct RelayedRun;
  // Null: no such run, or (`unavailable`) it cannot be opened now.
  std::shared_ptr<RelayedRun> OpenRelayed(const std::string& id, bool& unavailable);
  void CloseIdleRuns();  // a relay's thread: see kRelayIdle

  History* history_ = nullptr;  // the local run; null in a relay
  const RunRecord* record_ = nullptr;
  RunCatalog* catalog_ = nullptr;  // a relay's runs
  ServerOptions options_;
  PumpOptions pump_options_;
  StreamSlots slots_;
  std::unique_ptr<RunEndpoints> endpoints_;  // the local run's
  std::mutex runs_mutex_;
  std::map<std::string, std::shared_ptr<RelayedRun>> runs_;  // a relay's, open now
  bool runs_stopped_ = false;                                // under runs_mutex_
  std::condition_variable runs_stopped_cv_;
  std::chrono::milliseconds relay_idle_;  // an ended run unwatched this long is closed
  std::thread closer_;                    // a relay's: closes idle runs
  std::unique_ptr<ConnectionServer> server_;
  std::thread thread_;
  std::mutex stopped_mutex_;
  std::condition_variable stopped_cv_;
  bool stopped_ = false;  // listen_after_bind has returned
};

}  // namespace ssetail
