// The endpoints of one run (SPEC §4, §11, §12): /events, /status, /log and /search over its
// History and record, /problems and /sections over its index.
//
// A local ssetail has one, at `/`; a relay (SPEC §10) makes one for each request under
// `/runs/RUN/`, for the run it was given. It owns nothing: the server's StreamPump writes
// the /events streams, and the server's StreamSlots (--max-clients) count them.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "history/history.hpp"
#include "indexer/run_indexer.hpp"
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
  // All of them must outlive the responses it makes, or be kept alive by the `keep` given
  // with each (a relay's use of the run).
  RunEndpoints(History& history, const RunRecord* record, StreamSlots& slots, StreamPump& pump)
      : history_(history), record_(record), slots_(slots), pump_(pump) {}

  // On a request thread of the server. `keep` (may be null) is held for as long as the
  // response reads the run: the content written after the handler, the stream.
  void ServeStatus(httplib::Response& res);
  void ServeLog(httplib::Response& res, std::shared_ptr<const void> keep = nullptr);
  void ServeSearch(const httplib::Request& req, httplib::Response& res,
                   std::shared_ptr<const void> keep = nullptr);
  void ServeEvents(const httplib::Request& req, httplib::Response& res,
                   std::shared_ptr<const void> keep = nullptr);
  // SPEC §12: 404 where nothing indexes the run.
  void ServeProblems(httplib::Response& res);
  void ServeSections(httplib::Response& res);

  // --source-url's template and --source-root's directories, shown in /status for the page.
  void SetSourceLinks(std::string source_url, std::vector<std::string> source_roots) {
    source_url_ = std::move(source_url);
    source_roots_ = std::move(source_roots);
  }
  // The run's indexer (may be null): /problems, /sections and /status's index members.
  void SetIndexer(const RunIndexer* indexer) { indexer_ = indexer; }

 private:
  // The run's index as JSON (`append` writes it), or 404 where nothing indexes the run.
  using IndexJson = void (*)(std::string&, std::string_view, const index::RunIndex&);
  void ServeIndexJson(httplib::Response& res, IndexJson append);

  History& history_;
  const RunRecord* record_;
  StreamSlots& slots_;
  StreamPump& pump_;
  std::string source_url_;
  std::vector<std::string> source_roots_;
  const RunIndexer* indexer_ = nullptr;
};

}  // namespace ssetail
