// Where a relay's runs come from (SPEC §10): runs found by their id and opened on demand,
// and the list of the newest. The Redis layer implements it (redis/relay_catalog.hpp);
// OpenRuns decides when a run is opened and closed, and the server serves what it opens.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "run/hosted_run.hpp"
#include "run/run_summary.hpp"

namespace ssetail {

class RunCatalog {
 public:
  struct Opened {
    enum Status {
      Open,         // `run` is open
      NotFound,     // there is no such run
      Unavailable,  // the catalog could not say in time, or could not open it now (503)
    };
    Status status = Unavailable;
    std::unique_ptr<HostedRun> run;
    std::string why;  // Unavailable: one line for the 503's body
  };

  virtual ~RunCatalog() = default;
  // Opens run `id` anew: its source started, and read as far as the run was when asked (or
  // for a bounded time), so a first request sees what exists. `ended` goes to its source
  // (RunSource::Start). From any thread, concurrently.
  virtual Opened Open(const std::string& id, std::function<void()> ended) = 0;
  // The newest runs, newest first, with compare_with set (FillCompareWith); or why the
  // catalog cannot say now. From any thread, concurrently.
  virtual Result<std::vector<RunSummary>> List() = 0;
};

}  // namespace ssetail
