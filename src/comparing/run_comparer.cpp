#include "comparing/run_comparer.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <system_error>

#include "base/startup_error.hpp"
#include "compare/compare_ndjson.hpp"
#include "comparing/compare_answer.hpp"
#include "comparing/index_problems.hpp"
#include "record/record_reader.hpp"

namespace ssetail {

namespace {
constexpr int kNice = 10;
}  // namespace

RunComparer::RunComparer(History& history, const RunRecord* record, const RunIndexer& indexer,
                         OtherRecord other)
    : history_(history), record_(record), indexer_(indexer), other_(std::move(other)) {}

void RunComparer::Start() {
  try {
    thread_ = std::thread([this] { Follow(); });
  } catch (const std::system_error& e) {
    throw StartupError(std::string("--compare: cannot start its thread: ") + e.what());
  }
}

RunComparer::~RunComparer() {
  stop_ = true;
  wakeup_.Signal();
  if (thread_.joinable()) thread_.join();
}

void RunComparer::Take(std::uint64_t seq, EventType type, std::string_view text,
                       std::uint32_t t_ms) {
  if (type == EventType::Exit) return FinishThis();
  if (!IsOutput(type)) return;
  other_.comparison->Append(compare::Side::This, seq, text, t_ms);
  last_t_ms_ = t_ms;
  last_seen_ = std::chrono::steady_clock::now();
}

void RunComparer::TakenUpTo(std::uint64_t seq) {
  taken_ = seq;
  caught_up_.notify_all();
}

void RunComparer::FinishThis() {
  if (finished_) return;
  other_.comparison->Finish(compare::Side::This);
  finished_ = true;
  caught_up_.notify_all();
}

void RunComparer::Follow() {
  // Capture, the pump and the clients come first: this thread is niced (+10, about a tenth
  // of a core's share against them when they want it all; not SCHED_IDLE, which would starve
  // it for as long as a build keeps every core busy). When it falls behind, it reads what
  // memory lost from the record; a request waits for it at most kCatchUp. Not allowed: it
  // runs as it is.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kNice);
  const History::Subscription subscription = history_.Subscribe(wakeup_);
  std::unique_ptr<RecordReader> reader;
  std::string scratch;
  std::uint64_t cursor = 1;
  for (;;) {
    wakeup_.Reset();
    for (;;) {
      if (stop_) return;
      const History::Slice slice = history_.Read(cursor);
      if (slice.status == History::ReadStatus::NothingNew) break;
      std::lock_guard lock(mutex_);
      if (slice.status == History::ReadStatus::Ended) {
        FinishThis();  // a run lost without its exit: compared as far as it went
        return;
      }
      if (slice.missed > 0 && record_ != nullptr) {
        // Evicted before the follower came: from the record, as /log reads them.
        if (!reader) reader = std::make_unique<RecordReader>(*record_);
        const RecordReader::Result read = reader->ReadEvents(
            cursor, slice.first_seq - 1, scratch, [this](std::uint64_t, const record::Line& line) {
              Take(line.seq, line.type, line.text, line.t_ms);
              return true;
            });
        if (read.appended) {
          cursor = read.next_seq;
          TakenUpTo(cursor - 1);
          continue;
        }
      }
      for (const EventView& event : slice) {
        Take(event.seq, event.type, event.data, event.t_ms);
      }
      cursor = slice.next_seq;
      TakenUpTo(cursor - 1);
      if (slice.reached_end) {
        FinishThis();
        return;
      }
    }
    wakeup_.Wait();
  }
}

std::optional<compare::Estimate> RunComparer::EstimateLocked() const {
  if (finished_) return std::nullopt;
  const std::optional<compare::Reached> reached = other_.comparison->LastReached();
  if (!reached) return std::nullopt;
  const std::int64_t other_duration =
      other_.duration_ms.value_or(other_.comparison->LastTime(compare::Side::Other));
  const auto since = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - last_seen_);
  const std::int64_t elapsed =
      last_t_ms_ + (last_seen_ == decltype(last_seen_){} ? 0 : since.count());
  return compare::EstimateLeft(*reached, other_duration, elapsed);
}

std::string RunComparer::Answer() {
  const std::uint64_t published = history_.Stats().last_seq;
  std::unique_lock lock(mutex_);
  caught_up_.wait_for(lock, kCatchUp, [&] { return finished_ || taken_ >= published; });
  // The indexer runs at a lower priority than this follower: once the run is compared to its
  // end, its problems are complete a moment later (the same patience).
  if (finished_) indexer_.WaitFinished(std::chrono::steady_clock::now() + kCatchUp);
  auto [problems, problems_complete] = indexer_.Read([&](const index::RunIndex& index) {
    return std::make_pair(IndexProblems(index, history_.run_id()), index.finished());
  });
  other_.comparison->Advance();
  return CompareAnswer(*other_.comparison, history_.run_id(), other_.run, std::move(problems),
                       other_.problems, problems_complete, finished_, EstimateLocked());
}

}  // namespace ssetail
