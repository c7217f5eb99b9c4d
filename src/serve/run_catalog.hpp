// What a relay serves (SPEC §10): many runs, each found by its id, instead of the one run of
// a local ssetail. The Redis layer implements it; the server only routes to it.
#pragma once

#include <optional>
#include <string>

#include "history/history.hpp"
#include "record/run_record.hpp"

namespace ssetail {

class RunCatalog {
 public:
  struct Run {
    History* history;
    const RunRecord* record;  // may be null
  };
  virtual ~RunCatalog() = default;
  // The run `id`, its source started on first use and kept for the catalog's lifetime;
  // nothing when there is no such run. From any request thread.
  virtual std::optional<Run> Open(const std::string& id) = 0;
  // GET / (an HTML page that works without JavaScript) and GET /runs (JSON): the runs,
  // newest first.
  virtual std::string ListHtml() = 0;
  virtual std::string ListJson() = 0;
};

}  // namespace ssetail
