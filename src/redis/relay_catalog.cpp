#include "redis/relay_catalog.hpp"

#include <algorithm>
#include <chrono>
#include <future>

#include "base/wakeup.hpp"
#include "redis/relay_source.hpp"
#include "redisformat/json_fields.hpp"
#include "redisformat/lease.hpp"
#include "redisformat/run_meta.hpp"

namespace ssetail {

namespace {

using namespace std::chrono_literals;
using Clock = RedisClient::Clock;

constexpr auto kDeadline = 2000ms;  // of a request's questions to Redis, all together
constexpr auto kCatchUp = 10s;      // the most a run's first request waits for its source

std::vector<std::string_view> Fields(const RedisReply& hash) {
  std::vector<std::string_view> fields;
  for (const RedisReply& field : hash.elements) fields.push_back(field.text);
  return fields;
}

RunSummary Summary(std::string id, const RunMeta& meta, bool lease_alive, std::int64_t now_ms) {
  RunSummary run;
  run.id = std::move(id);
  run.title = meta.title;
  run.command = meta.command;
  run.started = meta.started;
  run.started_ms = json::ParseIsoUtcMs(meta.started).value_or(0);
  run.state = RunStateName(StateOf(meta.state, lease_alive));
  run.exit = meta.exit;
  run.exit_code = meta.exit_code;
  run.exit_signal = meta.exit_signal;
  if (run.state == "exited") {
    run.duration_ms = meta.duration_ms;
  } else if (run.state == "running" && run.started_ms > 0) {
    run.duration_ms = std::max<std::int64_t>(0, now_ms - run.started_ms);
  }
  run.errors = meta.errors;
  run.warnings = meta.warnings;
  if (meta.first_error && *meta.first_error > 0) run.first_error = meta.first_error;
  return run;
}

// Until the History has published `seq` (or ended), at most until `deadline`: woken by its
// publishes.
void WaitPublished(const History& history, std::uint64_t seq, Clock::time_point deadline) {
  Wakeup published;
  const History::Subscription subscription = history.Subscribe(published);
  for (;;) {
    published.Reset();
    const HistoryStats stats = history.Stats();
    // Not `closed`: AppendLast closes the History before the recorder has published `exit`,
    // and a request served then would see a run still running.
    if (stats.last_seq >= seq || !published.WaitUntil(deadline)) return;
  }
}

}  // namespace

RedisRunCatalog::RedisRunCatalog(RelayOptions options)
    : options_(std::move(options)), pool_(options_.url) {}

RunCatalog::Opened RedisRunCatalog::Open(const std::string& id, std::function<void()> ended) {
  const auto deadline = Clock::now() + kDeadline;
  const Result<std::vector<RedisReply>> replies =
      pool_.Ask({{"EXISTS", options_.url.StreamKey(id), options_.url.MetaKey(id)}}, deadline);
  if (!replies) return {Opened::Unavailable, nullptr, replies.error()};
  const RedisReply& exists = replies->front();
  if (exists.error()) return {Opened::Unavailable, nullptr, exists.text};
  if (exists.integer == 0) return {Opened::NotFound, nullptr, {}};
  std::promise<std::uint64_t> caught_up;
  std::future<std::uint64_t> read = caught_up.get_future();
  const RedisUrl& url = options_.url;
  auto run = std::make_unique<HostedRun>(
      id, options_.run,
      [&url, &caught_up](History& history) {
        return std::make_unique<RedisRunSource>(url, history, std::move(caught_up));
      },
      std::move(ended));
  // What Redis has now is served from the first request on (a /log, a resume from an id
  // another relay gave): wait, within reason, until the source has read it and the History
  // published it. Entries after `exit` are never read: the source has ended then.
  const auto catch_up = Clock::now() + kCatchUp;
  if (read.wait_until(catch_up) == std::future_status::ready) {
    WaitPublished(run->history(), read.get(), catch_up);
  }
  return {Opened::Open, std::move(run), {}};
}

Result<std::vector<RunSummary>> RedisRunCatalog::List() {
  // One deadline for both round trips: the request waits for Redis no longer than that.
  const auto deadline = Clock::now() + kDeadline;
  const std::string last = std::to_string(options_.listed - 1);
  const Result<std::vector<RedisReply>> index =
      pool_.Ask({{"ZREVRANGE", options_.url.RunsKey(), "0", last}}, deadline);
  if (!index) return Error{index.error()};
  if (index->front().error()) return Error{index->front().text};
  std::vector<RedisPool::Command> commands;
  std::vector<std::string> ids;
  for (const RedisReply& id : index->front().elements) {
    if (!IsRunId(id.text)) continue;  // no run of ours: its page could not be asked for
    ids.push_back(id.text);
    commands.push_back({"HGETALL", options_.url.MetaKey(id.text)});
    commands.push_back({"PTTL", options_.url.AliveKey(id.text)});
  }
  std::vector<RunSummary> runs;
  if (commands.empty()) return runs;
  const Result<std::vector<RedisReply>> replies = pool_.Ask(commands, deadline);
  if (!replies) return Error{replies.error()};
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const RedisReply& meta = (*replies)[2 * i];
    const RedisReply& pttl = (*replies)[2 * i + 1];
    if (meta.elements.empty()) continue;  // expired (--publish-ttl): the index outlives it
    const bool alive = !pttl.error() && LeaseOfPttl(pttl.integer).kind != Lease::Gone;
    runs.push_back(Summary(ids[i], DecodeRunMeta(Fields(meta)), alive, now_ms));
  }
  FillCompareWith(runs);
  return runs;
}

}  // namespace ssetail
