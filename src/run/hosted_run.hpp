// A run served from elsewhere (a relay's, SPEC §10): its History, its record, its indexer
// (SPEC §12), and the source that fills them. Each part is a reader or the writer of the
// History.
//
// Built in that order and destroyed in reverse: the source stops (its thread joined) before
// the record and the History go. Its accessors may be used from any thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "history/history.hpp"
#include "index/run_index.hpp"
#include "indexer/run_indexer.hpp"
#include "record/run_record.hpp"
#include "run/run_source.hpp"

namespace ssetail {

struct RunOptions {
  HistoryLimits limits;                 // of the memory history
  std::optional<RecordOptions> record;  // of the temporary record; nothing: --no-record
  index::IndexOptions index;            // of its index (--sections)
};

class HostedRun {
 public:
  using SourceFactory = std::function<std::unique_ptr<RunSource>(History&)>;

  // Creates the History (named `id`, a copy of a run whose events exist elsewhere), the
  // record, the indexer, and the source `make_source` gives for them, and starts them; `ended` goes
  // to the source. Throws std::exception (std::system_error, StartupError) when it cannot: no
  // thread, no descriptor, no temporary file.
  HostedRun(const std::string& id, const RunOptions& options, const SourceFactory& make_source,
            std::function<void()> ended);
  ~HostedRun();
  HostedRun(const HostedRun&) = delete;
  HostedRun& operator=(const HostedRun&) = delete;

  History& history() { return history_; }
  const RunRecord* record() const { return record_.get(); }
  const RunIndexer* indexer() const { return indexer_.get(); }

  // The source stops at once, without waiting (the destructor waits).
  void RequestStop() { source_->RequestStop(); }

 private:
  History history_;
  std::unique_ptr<RunRecord> record_;
  std::unique_ptr<RunIndexer> indexer_;
  std::unique_ptr<RunSource> source_;
};

}  // namespace ssetail
