// The run's index (SPEC §12): its problems, sections and progress, built from its events in
// order, once, where the run is. Pure and single-threaded: whoever feeds it (an indexer
// following the History) owns it, or guards it for the outlets that read it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.hpp"
#include "index/problem.hpp"
#include "index/progress.hpp"
#include "index/section.hpp"
#include "index/section_tracker.hpp"
#include "index/segment_joiner.hpp"
#include "index/stream_matcher.hpp"

namespace ssetail::index {

struct IndexOptions {
  SectionDialects sections;  // `--sections`, `auto` already resolved by the caller
  // What is kept, whatever the output (counts go on past the caps).
  std::size_t max_problems = 10000;
  std::size_t max_sections = 10000;
};

class RunIndex {
 public:
  // An empty index; its matchers' table is compiled once per process, at the first one.
  explicit RunIndex(IndexOptions options = {});

  // One event, in seq order: `text` raw (escape sequences kept, as captured), `t_ms` its
  // time, `end` how its segment ended. Events other than stdout/stderr only move the seq
  // on. A seq not above the last one is ignored; a jump over seqs (a capped record) is a
  // gap: lines in progress are dropped, sections stay open. Nothing after Finish counts.
  void Add(std::uint64_t seq, EventType type, std::string_view text, std::uint32_t t_ms,
           SegmentEnd end);

  // The run ended at `t_ms` (its exit): a line without its newline counts as a line, what
  // waits for a next line is settled, open sections end at the last output line.
  void Finish(std::uint32_t t_ms);

  bool finished() const { return finished_; }           // Finish was called: the index is complete
  std::uint64_t last_seq() const { return last_seq_; }  // the last seq fed (0: none yet)
  // Grows whenever what the accessors below return changes (a cheap "anything new?").
  std::uint64_t version() const { return version_; }

  // The problems kept (at most max_problems), in the order they were found: append-only,
  // so problems()[n…] is what was found since a reader saw n of them.
  const std::vector<Problem>& problems() const { return problems_; }
  // Indexes into problems(), in line order (seq; found order among equal seqs).
  const std::vector<std::uint32_t>& line_order() const { return line_order_; }
  // Every problem found, kept or not.
  const Counts& counts() const { return counts_; }
  // The first error in line order, or null.
  const Problem* FirstError() const;

  // The sections kept, in line order (of `first`). sections()[i].version > v: changed
  // since version v.
  const std::vector<Section>& sections() const { return sections_.sections(); }

  // The last progress line seen, if any.
  const std::optional<Progress>& progress() const { return progress_; }

 private:
  void Gap();
  void Look(int stream, const Piece& piece);
  bool WorkflowCommand(std::string_view text);
  void Keep(std::vector<Problem>& found);

  IndexOptions options_;
  std::uint64_t last_seq_ = 0;
  std::uint64_t last_output_seq_ = 0;
  std::uint64_t version_ = 0;
  bool finished_ = false;

  SegmentJoiner joiners_[2];  // stdout, stderr
  StreamMatcher matchers_[2];
  SectionTracker sections_;
  std::string stop_token_;  // GitHub's `::stop-commands::TOKEN`: `::TOKEN::` resumes them

  std::vector<Problem> problems_;
  std::vector<std::uint32_t> line_order_;
  Counts counts_;
  std::optional<Progress> progress_;

  std::string scratch_;         // a printable text that needed a copy
  std::vector<Problem> found_;  // problems found by the current line, before they are kept
};

}  // namespace ssetail::index
