#include "indexer/run_indexer.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "history/history.hpp"
#include "record/run_record.hpp"
#include "temp_dir.hpp"
#include "wait_until.hpp"

using namespace ssetail;
using testing::TempDir;

namespace {

constexpr auto kPatience = std::chrono::seconds(10);

RunIndexer::Clock::time_point Deadline() {
  return RunIndexer::Clock::now() + kPatience;
}

// start, `lines` lines of which line `error_at` (1-based) is a compiler's error, in batches.
void AppendRun(History& history, int lines, int error_at) {
  {
    History::Writer w(history);
    w.Append(EventType::Start, "{}", 0);
  }
  for (int from = 1; from <= lines; from += 100) {
    History::Writer w(history);
    for (int i = from; i < from + 100 && i <= lines; ++i) {
      w.Append(i == error_at ? EventType::Stderr : EventType::Stdout,
               i == error_at ? "a.c:3:4: error: expected ';'" : "compiling " + std::to_string(i),
               static_cast<std::uint32_t>(i));
    }
  }
}

std::vector<std::uint64_t> ErrorSeqs(const RunIndexer& indexer) {
  return indexer.Read([](const index::RunIndex& index) {
    std::vector<std::uint64_t> seqs;
    for (const index::Problem& p : index.problems()) {
      if (p.severity == index::Severity::Error) seqs.push_back(p.seq);
    }
    return seqs;
  });
}

}  // namespace

TEST_CASE("indexer: follows the History to its exit and tells its listeners") {
  History history("idx", {});
  RunIndexer indexer(history, nullptr, {});
  std::vector<index::Counts> told;
  int finished = 0;
  indexer.SetCountsListener([&](const index::Counts& counts) { told.push_back(counts); });
  indexer.SetFinishedListener([&](const index::RunIndex& index) {
    CHECK(index.finished());
    ++finished;
  });
  indexer.Start();
  CHECK_FALSE(indexer.WaitFinished(RunIndexer::Clock::now()));
  AppendRun(history, 500, 250);
  // Woken by the appends: the error is found while the run goes on.
  CHECK(testing::WaitUntil([&] { return !ErrorSeqs(indexer).empty(); }));
  CHECK_FALSE(indexer.WaitFinished(RunIndexer::Clock::now()));
  history.AppendLast(EventType::Exit, R"({"code":1})", 600);
  REQUIRE(indexer.WaitFinished(Deadline()));
  CHECK(ErrorSeqs(indexer) == std::vector<std::uint64_t>{251});  // start is seq 1
  CHECK(indexer.Read([](const index::RunIndex& index) { return index.last_seq(); }) == 502);
  CHECK(finished == 1);
  REQUIRE_FALSE(told.empty());
  CHECK(told.back() == index::Counts{1, 0, 0});
}

TEST_CASE("indexer: what memory lost before it was read comes from the record") {
  TempDir dir;
  // Memory keeps 10 events: the error, early in the run, is gone from it by the time the
  // indexer reads.
  History history("rec", {10, 1 << 20});
  RunRecord record(history, {std::nullopt, dir.path(), std::nullopt});
  record.Start();
  AppendRun(history, 1000, 3);
  history.AppendLast(EventType::Exit, R"({"code":1})", 1001);
  record.WaitWritten(1002);
  REQUIRE(history.Stats().dropped > 0);

  RunIndexer with_record(history, &record, {});
  with_record.Start();
  REQUIRE(with_record.WaitFinished(Deadline()));
  CHECK(ErrorSeqs(with_record) == std::vector<std::uint64_t>{4});

  // Without the record the events memory lost are a gap: the index goes on after it.
  RunIndexer without(history, nullptr, {});
  without.Start();
  REQUIRE(without.WaitFinished(Deadline()));
  CHECK(ErrorSeqs(without).empty());
  CHECK(without.Read([](const index::RunIndex& index) { return index.last_seq(); }) == 1002);
  record.Stop();
}

TEST_CASE("indexer: a run that ends without exit is finished; a stopped one is not told") {
  History history("end", {});
  RunIndexer indexer(history, nullptr, {});
  indexer.Start();
  AppendRun(history, 10, 5);
  history.End();
  REQUIRE(indexer.WaitFinished(Deadline()));
  CHECK(ErrorSeqs(indexer) == std::vector<std::uint64_t>{6});

  // Destroyed while the run goes on: it stops at once, its finished listener never called.
  History running("run", {});
  bool told = false;
  {
    RunIndexer stopped(running, nullptr, {});
    stopped.SetFinishedListener([&](const index::RunIndex&) { told = true; });
    stopped.Start();
    AppendRun(running, 10, 0);
  }
  CHECK_FALSE(told);
}

TEST_CASE("indexer: destroyed while it reads the record, it stops there") {
  TempDir dir;
  History history("stp", {10, 1 << 20});
  RunRecord record(history, {std::nullopt, dir.path(), std::nullopt});
  record.Start();
  AppendRun(history, 300000, 0);
  record.WaitWritten(300001);
  {
    RunIndexer stopped(history, &record, {});
    stopped.Start();
    // Under way in the record (memory holds only the last 10 events).
    CHECK(testing::WaitUntil(
        [&] { return stopped.Read([](const index::RunIndex& i) { return i.last_seq(); }) > 0; }));
  }  // must return: not a loop over the record's reads
  record.Stop();
}
