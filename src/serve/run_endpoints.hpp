// The endpoints of one run (SPEC §4, §11): /events, /status, /log and /search over its
// History and record.
//
// A local ssetail has one, at `/`; a relay (SPEC §10) one per run it serves, at
// `/runs/RUN/`. Each owns the StreamPump that writes its /events streams; the StreamSlots
// (--max-clients) are the server's, shared by every run.
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "history/history.hpp"
#include "record/run_record.hpp"
#include "serve/stream_pump.hpp"
#include "serve/stream_slots.hpp"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace ssetail {

class RunEndpoints {
 public:
  // Starts the run's stream pump. Throws std::system_error when it cannot.
  // `relayed`: the run is read from elsewhere (a relay), so a client may come with an id
  // this copy has not read yet (from a relay ahead of it): it resumes after that id.
  RunEndpoints(History& history, const RunRecord* record, StreamSlots& slots, PumpOptions options,
               bool relayed = false);
  ~RunEndpoints();
  RunEndpoints(const RunEndpoints&) = delete;
  RunEndpoints& operator=(const RunEndpoints&) = delete;

  // On a request thread of the server.
  void ServeStatus(httplib::Response& res);
  void ServeLog(httplib::Response& res);
  void ServeSearch(const httplib::Request& req, httplib::Response& res);
  // `keep` (may be null) is held until the connection is the pump's: a relay's way of
  // keeping the run open meanwhile.
  void ServeEvents(const httplib::Request& req, httplib::Response& res,
                   std::shared_ptr<const void> keep = nullptr);

  // Ends every stream of the run (see StreamPump::Stop).
  void Stop();

  // --source-url's template, shown in /status for the page.
  void SetSourceUrl(std::string source_url) { source_url_ = std::move(source_url); }

  // The run's /events streams now open. From any thread.
  std::size_t OpenStreams() const { return pump_->open_streams(); }

 private:
  History& history_;
  const RunRecord* record_;
  StreamSlots& slots_;
  const bool relayed_;
  std::string source_url_;
  std::unique_ptr<StreamPump> pump_;
};

}  // namespace ssetail
