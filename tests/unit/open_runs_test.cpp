// run/: OpenRuns, the one owner of a relay's runs (opened on first use, closed once ended
// and unused for the idle time), against a catalog of fake runs; and compare_with.
#include "run/open_runs.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "wait_until.hpp"

using namespace ssetail;
using testing::WaitUntil;
using namespace std::chrono_literals;

namespace {

// A source the test ends by hand (End), as a Redis source ends at `exit` or when lost.
class FakeSource : public RunSource {
 public:
  explicit FakeSource(History& history) : history_(history) {}
  ~FakeSource() override { RequestStop(); }
  void Start(std::function<void()> ended) override {
    ended_ = std::move(ended);
    History::Writer(history_).Append(EventType::Start, "{}", 0);
  }
  void RequestStop() override {}
  void End() {
    history_.AppendLast(EventType::Exit, "{}", 0);
    ended_();
  }

 private:
  History& history_;
  std::function<void()> ended_;
};

class FakeCatalog : public RunCatalog {
 public:
  Opened Open(const std::string& id, std::function<void()> ended) override {
    ++opens;
    if (id == "missing") return {Opened::NotFound, nullptr, {}};
    if (id == "down") return {Opened::Unavailable, nullptr, "Connection refused"};
    if (id == "slow") {  // answers once the test lets it
      std::unique_lock lock(mutex);
      released.wait(lock, [this] { return release; });
    }
    FakeSource* made = nullptr;
    auto run = std::make_unique<HostedRun>(
        id, RunOptions{},
        [&made](History& history) {
          auto source = std::make_unique<FakeSource>(history);
          made = source.get();
          return source;
        },
        std::move(ended));
    std::lock_guard lock(mutex);
    sources[id] = made;
    return {Opened::Open, std::move(run), {}};
  }
  Result<std::vector<RunSummary>> List() override { return std::vector<RunSummary>{}; }

  void EndRun(const std::string& id) {
    std::lock_guard lock(mutex);
    sources.at(id)->End();
  }

  std::atomic<int> opens{0};
  std::mutex mutex;
  std::condition_variable released;
  bool release = false;
  std::map<std::string, FakeSource*> sources;
};

}  // namespace

TEST_CASE("open runs: a run is opened on its first use and kept while it is used") {
  FakeCatalog catalog;
  OpenRuns runs(catalog, 50ms);
  {
    OpenRuns::Used first = runs.Use("r1");
    REQUIRE(first.use);
    CHECK(first.status == RunCatalog::Opened::Open);
    OpenRuns::Used second = runs.Use("r1");
    REQUIRE(second.use);
    CHECK(&first.use->run() == &second.use->run());  // the same run, opened once
    CHECK(catalog.opens == 1);
    CHECK(first.use->run().history().run_id() == "r1");
    catalog.EndRun("r1");
    std::this_thread::sleep_for(200ms);  // four idle times: it is used, so it stays
    CHECK(runs.size() == 1);
  }
  // Ended and unused: closed after the idle time.
  CHECK(WaitUntil([&] { return runs.size() == 0; }));
  // Asked again, it is opened again, exactly as the first time.
  OpenRuns::Used again = runs.Use("r1");
  REQUIRE(again.use);
  CHECK(catalog.opens == 2);
  CHECK(again.use->run().history().Stats().last_seq == 1);
}

TEST_CASE("open runs: a running run is never closed, however long nobody uses it") {
  FakeCatalog catalog;
  OpenRuns runs(catalog, 10ms);
  { REQUIRE(runs.Use("live").use); }
  std::this_thread::sleep_for(200ms);
  CHECK(runs.size() == 1);
  catalog.EndRun("live");
  CHECK(WaitUntil([&] { return runs.size() == 0; }));
}

TEST_CASE("open runs: 404 and 503 are not kept, and are asked again") {
  FakeCatalog catalog;
  OpenRuns runs(catalog, 10ms);
  OpenRuns::Used missing = runs.Use("missing");
  CHECK(missing.status == RunCatalog::Opened::NotFound);
  CHECK_FALSE(missing.use);
  OpenRuns::Used down = runs.Use("down");
  CHECK(down.status == RunCatalog::Opened::Unavailable);
  CHECK(down.why == "Connection refused");
  CHECK(runs.size() == 0);
  runs.Use("down");
  CHECK(catalog.opens == 3);
}

TEST_CASE("open runs: uses that come while a run is being opened share that opening") {
  FakeCatalog catalog;
  OpenRuns runs(catalog, 10ms);
  std::vector<std::thread> users;
  std::atomic<int> served{0};
  for (int i = 0; i < 8; ++i) {
    users.emplace_back([&] {
      OpenRuns::Used used = runs.Use("slow");
      if (used.use) ++served;
    });
  }
  CHECK(WaitUntil([&] { return catalog.opens == 1; }));
  std::this_thread::sleep_for(50ms);  // the others are waiting for that one opening
  {
    std::lock_guard lock(catalog.mutex);
    catalog.release = true;
  }
  catalog.released.notify_all();
  for (std::thread& user : users) user.join();
  CHECK(served == 8);
  CHECK(catalog.opens == 1);
}

TEST_CASE("open runs: a use may end on another thread, after others began") {
  FakeCatalog catalog;
  OpenRuns runs(catalog, 10ms);
  auto kept = std::make_shared<RunUse>(std::move(*runs.Use("r").use));
  std::thread elsewhere([kept = std::move(kept)]() mutable { kept.reset(); });
  elsewhere.join();
  catalog.EndRun("r");
  CHECK(WaitUntil([&] { return runs.size() == 0; }));
}

TEST_CASE("run list: compare_with is the newest green run of the same title started before") {
  const auto run = [](std::string id, std::string title, std::int64_t started, std::string state,
                      std::optional<std::int64_t> code) {
    RunSummary summary;
    summary.id = std::move(id);
    summary.title = std::move(title);
    summary.started_ms = started;
    summary.state = std::move(state);
    summary.exit_code = code;
    return summary;
  };
  std::vector<RunSummary> runs = {
      run("r6", "build", 600, "running", std::nullopt),
      run("r5", "build", 500, "exited", 2),
      run("r4", "test", 400, "exited", 0),
      run("r3", "build", 300, "exited", 0),
      run("r2", "build", 200, "lost", std::nullopt),
      run("r1", "build", 100, "exited", 0),
  };
  FillCompareWith(runs);
  CHECK(runs[0].compare_with == "r3");  // r5 failed
  CHECK(runs[1].compare_with == "r3");
  CHECK_FALSE(runs[2].compare_with);  // no other "test"
  CHECK(runs[3].compare_with == "r1");
  CHECK(runs[4].compare_with == "r1");
  CHECK_FALSE(runs[5].compare_with);  // none started before it
}
