#include "redis/relay_catalog.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <thread>

#include "base/warn.hpp"
#include "events/json.hpp"
#include "redis/json_fields.hpp"
#include "redis/run_entries.hpp"
#include "redis/run_source.hpp"

namespace ssetail {

namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 2000ms;           // of a request's questions to Redis, all together
constexpr auto kCatchUp = 10s;               // the most a run's first request waits for its source
constexpr std::size_t kIdleConnections = 4;  // kept for the next requests

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// "exit 0", "SIGTERM", or "" while running; from the exit event's data.
std::string ExitText(const std::string& exit) {
  if (exit == "null") return "";
  const auto code = json::RawField(exit, "code");
  if (code && *code != "null") return "exit " + std::string(*code);
  return json::DecodeString(json::RawField(exit, "signal").value_or("")).value_or("?");
}

std::string DurationText(std::int64_t ms) {
  const std::int64_t seconds = ms / 1000;
  if (seconds < 60) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(ms) / 1000);
    return text;
  }
  return std::to_string(seconds / 60) + " min " + std::to_string(seconds % 60) + " s";
}

}  // namespace

struct RedisRelayCatalog::RelayRun {
  RelayRun(const std::string& id, const RelayOptions& options, std::uint64_t last)
      : last_at_open(last),
        history(id, options.limits),
        record(options.record ? std::make_unique<RunRecord>(history, *options.record) : nullptr),
        source(options.url, history) {
    if (record) record->Start();
    source.Start();
  }
  const std::uint64_t last_at_open;  // the stream's last entry when the run was opened
  // Destroyed in reverse: the source (its thread) first, then the record, then the history.
  History history;
  std::unique_ptr<RunRecord> record;
  RedisRunSource source;
};

RedisRelayCatalog::RedisRelayCatalog(RelayOptions options) : options_(std::move(options)) {}

RedisRelayCatalog::~RedisRelayCatalog() {
  stop_.Request();
  // Every source's thread at once, rather than one read's time after another.
  for (auto& [id, run] : runs_) run->source.RequestStop();
}

bool RedisRelayCatalog::Ask(const std::vector<std::vector<std::string>>& commands,
                            std::vector<RedisReply>& replies,
                            RedisClient::Clock::time_point deadline, std::string& error) {
  for (int attempt = 0; attempt < 2; ++attempt) {  // an idle one Redis closed: once more
    std::unique_ptr<RedisClient> client;
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        client = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    const bool fresh = !client;
    if (fresh) client = RedisClient::Connect(options_.url, deadline, &stop_, error);
    if (!client) return false;
    for (const auto& command : commands) {
      client->Append(std::vector<std::string_view>(command.begin(), command.end()));
    }
    if (client->Replies(replies, deadline, error) && replies.size() == commands.size()) {
      std::lock_guard lock(mutex_);
      if (idle_.size() < kIdleConnections) idle_.push_back(std::move(client));
      return true;
    }
    if (fresh || RedisClient::Clock::now() >= deadline) return false;
  }
  return false;
}

RedisRelayCatalog::Opened RedisRelayCatalog::OpenFromRedis(const std::string& id) {
  Opened opened;
  std::vector<RedisReply> replies;
  std::string error;
  const std::string stream = options_.url.StreamKey(id);
  const bool asked = Ask(
      {{"EXISTS", stream, options_.url.MetaKey(id)}, {"XREVRANGE", stream, "+", "-", "COUNT", "1"}},
      replies, RedisClient::Clock::now() + kDeadline, error);
  std::lock_guard lock(mutex_);
  opening_.erase(id);
  if (!asked || replies[0].error()) {
    opened.unavailable = true;
    return opened;
  }
  if (replies[0].integer == 0) return opened;  // no such run
  std::uint64_t last = 0;
  const RedisReply& newest = replies[1];
  if (!newest.elements.empty() && !newest.elements.front().elements.empty()) {
    last = SeqOfEntryId(newest.elements.front().elements.front().text).value_or(0);
  }
  try {
    opened.run = runs_.emplace(id, std::make_shared<RelayRun>(id, options_, last)).first->second;
  } catch (const std::exception& e) {  // no temporary record, no thread: not now
    Warn("--relay: run " + id + ": " + e.what());
    opened.unavailable = true;
  }
  return opened;
}

std::optional<RunCatalog::Run> RedisRelayCatalog::Open(const std::string& id, bool& unavailable) {
  unavailable = false;
  std::shared_ptr<RelayRun> run;
  std::promise<Opened> promise;
  std::shared_future<Opened> opening;
  bool asker = false;
  {
    std::lock_guard lock(mutex_);
    if (auto it = runs_.find(id); it != runs_.end()) {
      run = it->second;
    } else if (auto at = opening_.find(id); at != opening_.end()) {
      opening = at->second;  // another request asks Redis for it: its answer is ours
    } else {
      opening = promise.get_future().share();
      opening_.emplace(id, opening);
      asker = true;
    }
  }
  if (asker) promise.set_value(OpenFromRedis(id));
  if (!run) {
    // The asker answers within its deadline (kDeadline), and so within ours.
    const Opened& opened = opening.get();
    unavailable = opened.unavailable;
    if (!opened.run) return std::nullopt;
    run = opened.run;
  }
  // What Redis had when the run was opened is served from the first request on (a /log, a
  // resume from an id another relay gave): wait, within reason, until the source has read
  // it, or ended (entries after `exit` are never read). Not under the lock: other runs and
  // the lists go on meanwhile.
  const auto deadline = std::chrono::steady_clock::now() + kCatchUp;
  for (;;) {
    const HistoryStats stats = run->history.Stats();
    if (stats.last_seq >= run->last_at_open || stats.closed ||
        std::chrono::steady_clock::now() >= deadline) {
      break;
    }
    std::this_thread::sleep_for(5ms);
  }
  return Run{&run->history, run->record.get(), run};
}

void RedisRelayCatalog::Close(const std::string& id, const Run& run) {
  std::shared_ptr<RelayRun> closed;  // let go of outside the lock: that may join its threads
  std::lock_guard lock(mutex_);
  auto it = runs_.find(id);
  // Only that one: a later Open may have opened the run anew meanwhile.
  if (it != runs_.end() && it->second.get() == run.keep.get()) {
    closed = std::move(it->second);
    runs_.erase(it);
  }
}

std::optional<std::vector<RedisRelayCatalog::Listed>> RedisRelayCatalog::List(std::string& error) {
  // One deadline for both round trips: the request waits for Redis no longer than that.
  const auto deadline = RedisClient::Clock::now() + kDeadline;
  std::vector<RedisReply> replies;
  const std::string last = std::to_string(options_.listed - 1);
  if (!Ask({{"ZREVRANGE", options_.url.RunsKey(), "0", last}}, replies, deadline, error)) {
    return std::nullopt;
  }
  const RedisReply ids = std::move(replies.front());
  if (ids.error()) {
    error = ids.text;
    return std::nullopt;
  }
  std::vector<std::vector<std::string>> commands;
  std::vector<std::string> listed;
  for (const RedisReply& id : ids.elements) {
    if (!IsRunId(id.text)) continue;  // no run of ours: its page could not be asked for
    listed.push_back(id.text);
    commands.push_back({"HGETALL", options_.url.MetaKey(id.text)});
  }
  std::vector<RedisReply> metas;
  if (!commands.empty() && !Ask(commands, metas, deadline, error)) return std::nullopt;
  std::vector<Listed> runs;
  for (std::size_t i = 0; i < metas.size(); ++i) {
    if (metas[i].elements.empty()) continue;  // expired (--publish-ttl): the index outlives it
    std::vector<std::string_view> fields;
    for (const RedisReply& field : metas[i].elements) fields.push_back(field.text);
    runs.push_back({listed[i], DecodeRunMeta(fields)});
  }
  return runs;
}

std::string RedisRelayCatalog::ListJson() {
  std::string error;
  const auto runs = List(error);
  if (!runs) {
    std::string out = "{\"runs\":null,\"error\":";
    json::AppendString(out, error);
    return out + "}";
  }
  std::string out = "{\"runs\":[";
  for (const Listed& run : *runs) {
    if (out.back() == '}') out += ',';
    // command and exit are JSON DecodeRunMeta encoded itself: never a field's raw text.
    out += "{\"id\":";
    json::AppendString(out, run.id);
    out += ",\"title\":";
    json::AppendString(out, run.meta.title);
    out += ",\"command\":" + run.meta.command + ",\"started\":";
    json::AppendString(out, run.meta.started);
    out += ",\"state\":";
    json::AppendString(out, run.meta.state);
    out += ",\"exit\":" + run.meta.exit + ",\"url\":";
    json::AppendString(out, "runs/" + run.id + "/");
    out += '}';
  }
  return out + "],\"error\":null}";
}

std::string RedisRelayCatalog::ListHtml() {
  std::string error;
  const auto runs = List(error);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  // Works without JavaScript; a refresh every 5 s keeps it live.
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"refresh\" content=\"5\"><title>ssetail: runs</title></head>\n"
      "<body><h1>Runs</h1>\n";
  if (!runs) return out + "<p>Redis cannot be read: " + EscapeHtml(error) + "</p></body></html>\n";
  out +=
      "<table>\n<tr><th>run</th><th>state</th><th>exit status</th><th>started</th>"
      "<th>duration</th></tr>\n";
  for (const Listed& listed : *runs) {
    const RunMeta& run = listed.meta;
    std::string duration;
    if (run.exit != "null") {
      const auto ms = json::RawField(run.exit, "duration_ms");
      if (ms) duration = DurationText(std::atoll(std::string(*ms).c_str()));
    } else if (const auto started = json::ParseIsoUtcMs(run.started)) {
      duration = DurationText(now - *started);
    }
    out += "<tr class=\"" + EscapeHtml(run.state) + "\"><td><a href=\"runs/" +
           EscapeHtml(listed.id) + "/\">" + EscapeHtml(run.title.empty() ? listed.id : run.title) +
           "</a></td><td>" + EscapeHtml(run.state) + "</td><td>" + EscapeHtml(ExitText(run.exit)) +
           "</td><td>" + EscapeHtml(run.started) + "</td><td>" + duration + "</td></tr>\n";
  }
  return out + "</table>\n</body></html>\n";
}

}  // namespace ssetail
