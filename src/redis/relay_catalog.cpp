#include "redis/relay_catalog.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "events/json.hpp"
#include "redis/json_fields.hpp"
#include "redis/run_source.hpp"

namespace ssetail {

namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 2000ms;
constexpr auto kCatchUp = 10s;  // the most a run's first request waits for its source

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
  // Every source's thread at once, rather than one blocking read's time after another.
  for (auto& [id, run] : runs_) run->source.RequestStop();
}

bool RedisRelayCatalog::Query(const std::vector<std::string_view>& args, RedisReply& reply,
                              std::string& error) {
  for (int attempt = 0; attempt < 2; ++attempt) {  // a connection Redis closed: once more
    if (!client_) client_ = RedisClient::Connect(options_.url, kDeadline, error);
    if (!client_) return false;
    if (client_->Command(args, reply, error)) return true;
    client_.reset();
  }
  return false;
}

std::optional<RunCatalog::Run> RedisRelayCatalog::Open(const std::string& id) {
  std::shared_ptr<RelayRun> run;
  {
    std::lock_guard lock(mutex_);
    auto it = runs_.find(id);
    if (it == runs_.end()) {
      RedisReply reply;
      std::string error;
      if (!Query({"EXISTS", options_.url.StreamKey(id), options_.url.MetaKey(id)}, reply, error) ||
          reply.integer == 0) {
        return std::nullopt;
      }
      std::uint64_t last = 0;
      if (Query({"XREVRANGE", options_.url.StreamKey(id), "+", "-", "COUNT", "1"}, reply, error) &&
          !reply.elements.empty() && !reply.elements.front().elements.empty()) {
        const std::string& entry = reply.elements.front().elements.front().text;
        if (entry.rfind("0-", 0) == 0) last = std::strtoull(entry.c_str() + 2, nullptr, 10);
      }
      try {
        it = runs_.emplace(id, std::make_shared<RelayRun>(id, options_, last)).first;
      } catch (const std::exception& e) {  // no temporary record, no thread: not now
        std::fprintf(stderr, "ssetail: warning: --relay: run %s: %s\n", id.c_str(), e.what());
        return std::nullopt;
      }
    }
    run = it->second;
  }
  // What Redis had when the run was opened is served from the first request on (a /log, a
  // resume from an id another relay gave): wait, within reason, until the source has read
  // it. Not under the lock: other runs and the lists go on meanwhile.
  const auto deadline = std::chrono::steady_clock::now() + kCatchUp;
  while (run->history.Stats().last_seq < run->last_at_open &&
         std::chrono::steady_clock::now() < deadline) {
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
  std::lock_guard lock(mutex_);
  RedisReply ids;
  const std::string last = std::to_string(options_.listed - 1);
  if (!Query({"ZREVRANGE", options_.url.RunsKey(), "0", last}, ids, error)) return std::nullopt;
  if (ids.error()) {
    error = ids.text;
    return std::nullopt;
  }
  std::vector<std::string> keys;
  for (const RedisReply& id : ids.elements) keys.push_back(options_.url.MetaKey(id.text));
  for (const std::string& key : keys) client_->Append({"HGETALL", key});
  std::vector<RedisReply> metas;
  if (!client_->Replies(metas, error)) {
    client_.reset();
    return std::nullopt;
  }
  std::vector<Listed> runs;
  for (std::size_t i = 0; i < metas.size() && i < ids.elements.size(); ++i) {
    if (metas[i].elements.empty()) continue;  // expired (--publish-ttl): the index outlives it
    Listed run;
    run.id = ids.elements[i].text;
    const auto& fields = metas[i].elements;
    for (std::size_t f = 0; f + 1 < fields.size(); f += 2) {
      const std::string& key = fields[f].text;
      const std::string& value = fields[f + 1].text;
      if (key == "title") run.title = value;
      if (key == "state") run.state = value;
      if (key == "started") run.started = value;
      if (key == "command") run.command = value;
      if (key == "exit") run.exit = value;
    }
    runs.push_back(std::move(run));
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
    out += "{\"id\":";
    json::AppendString(out, run.id);
    out += ",\"title\":";
    json::AppendString(out, run.title);
    out += ",\"command\":" + run.command + ",\"started\":";
    json::AppendString(out, run.started);
    out += ",\"state\":";
    json::AppendString(out, run.state);
    out += ",\"exit\":" + run.exit + ",\"url\":";
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
  for (const Listed& run : *runs) {
    std::string duration;
    if (run.exit != "null") {
      const auto ms = json::RawField(run.exit, "duration_ms");
      if (ms) duration = DurationText(std::atoll(std::string(*ms).c_str()));
    } else if (const auto started = json::ParseIsoUtcMs(run.started)) {
      duration = DurationText(now - *started);
    }
    out += "<tr class=\"" + EscapeHtml(run.state) + "\"><td><a href=\"runs/" + EscapeHtml(run.id) +
           "/\">" + EscapeHtml(run.title.empty() ? run.id : run.title) + "</a></td><td>" +
           EscapeHtml(run.state) + "</td><td>" + EscapeHtml(ExitText(run.exit)) + "</td><td>" +
           EscapeHtml(run.started) + "</td><td>" + duration + "</td></tr>\n";
  }
  return out + "</table>\n</body></html>\n";
}

}  // namespace ssetail
