// The served run compared with another (SPEC §14), where the run is: a follower thread reads
// the run's History at its own cursor, woken by appends (never capture's thread, never
// polling), and appends each output line to the Comparison; a GET /compare aligns what came
// since (Comparison::Advance, within its budget) and writes the NDJSON answer, on the
// request's thread. The run's problems are its indexer's (SPEC §12: one index per run), read
// through RunIndexer::Read. One mutex guards the Comparison: the follower holds it for one
// slice of events at a time, a request for one Advance and the writing of its answer into
// memory (sent after, without it).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "base/wakeup.hpp"
#include "comparing/other_record.hpp"
#include "history/history.hpp"
#include "indexer/run_indexer.hpp"
#include "record/run_record.hpp"

namespace ssetail {

class RunComparer {
 public:
  // Follows `history` from its first event; events that left memory before the follower
  // read them come from `record` (may be null: then they are a gap). The run's problems come
  // from `indexer`, which follows the same History. All three must outlive it.
  RunComparer(History& history, const RunRecord* record, const RunIndexer& indexer,
              OtherRecord other);
  ~RunComparer();
  RunComparer(const RunComparer&) = delete;
  RunComparer& operator=(const RunComparer&) = delete;

  // Starts the follower. Throws StartupError when no thread can be started.
  void Start();

  // GET /compare's body (NDJSON), as far as the run has come: the follower is first given
  // up to kCatchUp to take what was published when it was asked. From any thread.
  static constexpr std::chrono::seconds kCatchUp{2};
  std::string Answer();

 private:
  void Follow();
  // Takes one event, from a slice or (what memory lost) from the record.
  void Take(std::uint64_t seq, EventType type, std::string_view text, std::uint32_t t_ms);
  void FinishThis();
  void TakenUpTo(std::uint64_t seq);  // wakes a request waiting for the follower
  std::optional<compare::Estimate> EstimateLocked() const;

  History& history_;
  const RunRecord* record_;
  const RunIndexer& indexer_;
  OtherRecord other_;
  Wakeup wakeup_;
  std::atomic<bool> stop_{false};

  std::mutex mutex_;  // guards everything below
  bool finished_ = false;
  std::uint64_t taken_ = 0;                            // the last event the follower took
  std::condition_variable caught_up_;                  // taken_ or finished_ moved on
  std::uint32_t last_t_ms_ = 0;                        // of the run's last output line
  std::chrono::steady_clock::time_point last_seen_{};  // when the follower took it

  std::thread thread_;  // last: started once the rest is built
};

}  // namespace ssetail
