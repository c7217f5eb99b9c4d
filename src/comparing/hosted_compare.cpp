#include "comparing/hosted_compare.hpp"

#include <charconv>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>

#include "compare/compare_ndjson.hpp"
#include "compare/comparison.hpp"
#include "comparing/compare_answer.hpp"
#include "comparing/index_problems.hpp"
#include "index/run_index.hpp"
#include "record/record_reader.hpp"
#include "redisformat/json_fields.hpp"
#include "redisformat/run_meta.hpp"

namespace ssetail {

namespace {

using Take = std::function<void(std::uint64_t seq, EventType type, std::string_view text,
                                std::uint32_t t_ms, SegmentEnd end)>;

// Every event of `history` published now, in order, from memory or (what memory lost) from
// the record. True when the run has ended.
bool ReadPublished(const History& history, const RunRecord* record, const Take& take) {
  const HistoryStats stats = history.Stats();  // `closed` then: the final event is by `end`
  const std::uint64_t end = stats.last_seq;
  std::unique_ptr<RecordReader> reader;
  std::string scratch;
  std::uint64_t cursor = 1;
  while (cursor <= end) {
    const History::Slice slice = history.Read(cursor);
    if (slice.status == History::ReadStatus::Ended) return true;
    if (slice.status != History::ReadStatus::Events) return false;
    if (slice.missed > 0 && record != nullptr) {
      if (!reader) reader = std::make_unique<RecordReader>(*record);
      const RecordReader::Result read = reader->ReadEvents(
          cursor, slice.first_seq - 1, scratch, [&take](std::uint64_t, const record::Line& line) {
            take(line.seq, line.type, line.text, line.t_ms, line.end);
            return true;
          });
      if (read.appended) {
        cursor = read.next_seq;
        continue;
      }
    }
    for (const EventView& event : slice) {
      if (event.seq > end) break;
      take(event.seq, event.type, event.data, event.t_ms, event.end);
    }
    if (slice.reached_end) return true;
    cursor = slice.next_seq;
  }
  return stats.closed;
}

struct SideReading {
  index::RunIndex index;
  std::uint32_t last_t_ms = 0;
  bool ended = false;
};

void Read(const History& history, const RunRecord* record, compare::Comparison& comparison,
          compare::Side side, SideReading& out) {
  out.ended = ReadPublished(history, record,
                            [&](std::uint64_t seq, EventType type, std::string_view text,
                                std::uint32_t t_ms, SegmentEnd end) {
                              if (!IsOutput(type)) return;
                              comparison.Append(side, seq, text, t_ms);
                              out.index.Add(seq, type, text, t_ms, end);
                              out.last_t_ms = t_ms;
                            });
  if (out.ended) {
    comparison.Finish(side);
    out.index.Finish(out.last_t_ms);
  }
}

std::optional<std::int64_t> DurationMs(const std::optional<std::string>& exit_data) {
  if (!exit_data) return std::nullopt;
  const auto raw = json::RawField(*exit_data, "duration_ms");
  if (!raw) return std::nullopt;
  std::int64_t ms = 0;
  const auto [end, error] = std::from_chars(raw->data(), raw->data() + raw->size(), ms);
  if (error != std::errc{} || end != raw->data() + raw->size()) return std::nullopt;
  return ms;
}

}  // namespace

std::string CompareHostedRuns(const History& run, const RunRecord* run_record, const History& other,
                              const RunRecord* other_record) {
  compare::Comparison comparison;
  SideReading other_side;
  Read(other, other_record, comparison, compare::Side::Other, other_side);
  SideReading this_side;
  Read(run, run_record, comparison, compare::Side::This, this_side);
  comparison.Advance();

  compare::OtherRun with;
  with.run_id = other.run_id();
  const StartMeta meta = MetaOfStart(other.FirstEventData().value_or("{}"));
  with.title = meta.title;
  with.started = meta.started;
  with.exit_json = other.LastEventData();

  std::optional<compare::Estimate> estimate;
  const std::optional<compare::Reached> reached = comparison.LastReached();
  if (!this_side.ended && reached) {
    // Elapsed by the wall clock since this run's start (a relay may open it late).
    const StartMeta started = MetaOfStart(run.FirstEventData().value_or("{}"));
    const std::optional<std::int64_t> start_ms = json::ParseIsoUtcMs(started.started);
    const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    const std::int64_t elapsed =
        start_ms ? std::max<std::int64_t>(now_ms - *start_ms, this_side.last_t_ms)
                 : this_side.last_t_ms;
    estimate = compare::EstimateLeft(
        *reached, DurationMs(with.exit_json).value_or(comparison.LastTime(compare::Side::Other)),
        elapsed);
  }

  return CompareAnswer(comparison, run.run_id(), with, IndexProblems(this_side.index, run.run_id()),
                       IndexProblems(other_side.index, other.run_id()),
                       this_side.index.finished() && other_side.index.finished(), this_side.ended,
                       estimate);
}

}  // namespace ssetail
