// What a relay serves (SPEC §10): many runs, each found by its id, instead of the one run of
// a local ssetail. The Redis layer implements it; the server only routes to it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "history/history.hpp"
#include "record/run_record.hpp"

namespace ssetail {

class RunCatalog {
 public:
  struct Run {
    History* history;
    const RunRecord* record;     // may be null
    std::shared_ptr<void> keep;  // history and record live at least as long as this
  };
  virtual ~RunCatalog() = default;
  // The run `id`, its source started on first use and kept until Close; nothing when there
  // is no such run, or, with `unavailable` set, when the catalog could not say in time
  // (Redis away or slow: the server answers 503, not 404). From any request thread.
  virtual std::optional<Run> Open(const std::string& id, bool& unavailable) = 0;
  // The catalog lets go of `run` (of `id`), opened by Open: it ends once the last copy of
  // its `keep` goes; the next Open of `id` opens it anew. From any thread.
  virtual void Close(const std::string& id, const Run& run) = 0;
  // GET / (an HTML page that works without JavaScript) and GET /runs (JSON): the runs,
  // newest first.
  virtual std::string ListHtml() = 0;
  virtual std::string ListJson() = 0;
};

}  // namespace ssetail
