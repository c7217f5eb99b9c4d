// The runs a relay has open (SPEC §10): the one owner of their lifecycle. A run is opened
// from the catalog on its first use and stays open while it is used (a request being
// answered, a stream); once it has ended (its source read `exit`, or found it lost) and
// nobody has used it for the idle time, it is closed: its source, record and History go.
// A later use opens it again from the catalog, exactly as the first time.
//
// Uses are counted explicitly (RunUse), never guessed from reference counts. A thread of
// its own closes idle runs; it sleeps until a use ends, a run ends, or the earliest idle
// time of an ended run is up: no timer otherwise.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.hpp"
#include "base/wakeup.hpp"
#include "base/warn.hpp"
#include "run/hosted_run.hpp"
#include "run/run_catalog.hpp"
#include "run/run_summary.hpp"

namespace ssetail {

class OpenRuns;

// One use of an open run: the run stays open while it lives. Move-only; may be destroyed on
// any thread (the server's request threads, its stream pump).
class RunUse {
 public:
  RunUse(RunUse&& other) noexcept = default;
  RunUse& operator=(RunUse&&) = delete;
  RunUse(const RunUse&) = delete;
  ~RunUse();

  HostedRun& run() const { return *run_; }

 private:
  friend class OpenRuns;
  struct Entry;
  RunUse(OpenRuns* owner, std::shared_ptr<Entry> entry, std::shared_ptr<HostedRun> run)
      : owner_(owner), entry_(std::move(entry)), run_(std::move(run)) {}
  OpenRuns* owner_;
  std::shared_ptr<Entry> entry_;  // null once moved from
  std::shared_ptr<HostedRun> run_;
};

class OpenRuns {
 public:
  // Starts the closing thread. `idle`: how long an ended run nobody uses stays open.
  OpenRuns(RunCatalog& catalog, std::chrono::milliseconds idle);
  // Closes every run (their sources stop at once). No RunUse may outlive it.
  ~OpenRuns();
  OpenRuns(const OpenRuns&) = delete;
  OpenRuns& operator=(const OpenRuns&) = delete;

  struct Used {
    RunCatalog::Opened::Status status = RunCatalog::Opened::Unavailable;
    std::optional<RunUse> use;  // when Open
    std::string why;            // Unavailable: why
  };
  // A use of run `id`, opened first if it is not open; uses that come while it is being
  // opened wait for that one opening. From any thread.
  Used Use(const std::string& id);

  // The catalog's list. From any thread.
  Result<std::vector<RunSummary>> List() { return catalog_.List(); }

  // Runs open now (for tests and /status of the relay). From any thread.
  std::size_t size() const;

 private:
  friend class RunUse;
  using Entry = RunUse::Entry;
  using Clock = std::chrono::steady_clock;
  std::shared_ptr<Entry> Find(const std::string& id);  // under mutex_
  Used Opened(const std::string& id, std::shared_ptr<Entry> entry, RunCatalog::Opened opened);
  void Release(Entry& entry);
  void Ended(const std::string& id, std::uint64_t serial);
  void CloseIdle();  // the closing thread

  RunCatalog& catalog_;
  const std::chrono::milliseconds idle_;
  RepeatedWarning open_failures_{std::chrono::seconds(60)};  // out of threads, descriptors
  Wakeup changed_;  // a use ended, a run ended, or stopping: for the closing thread

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Entry>> runs_;  // open or being opened
  std::uint64_t serial_ = 0;
  bool stopping_ = false;
  std::thread closer_;
};

}  // namespace ssetail
