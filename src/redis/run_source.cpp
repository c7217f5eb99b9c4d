#include "redis/run_source.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <optional>

#include "events/json.hpp"
#include "record/record_line.hpp"

namespace ssetail {

namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 3000ms;  // connecting, and each read (which blocks up to 1 s)
constexpr auto kFirstBackoff = 100ms;
constexpr auto kMaxBackoff = 5000ms;

std::uint64_t SeqOfEntryId(std::string_view id) {
  if (id.substr(0, 2) != "0-") return 0;
  std::uint64_t seq = 0;
  std::from_chars(id.data() + 2, id.data() + id.size(), seq);
  return seq;
}

}  // namespace

RedisRunSource::RedisRunSource(RedisUrl url, History& history)
    : url_(std::move(url)), history_(history), stream_key_(url_.StreamKey(history.run_id())) {}

RedisRunSource::~RedisRunSource() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

void RedisRunSource::RequestStop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
}

void RedisRunSource::Start() {
  thread_ = std::thread([this] { Run(); });
}

bool RedisRunSource::Stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void RedisRunSource::Run() {
  auto backoff = kFirstBackoff;
  bool warned = false;
  while (!ended_ && !Stopping()) {
    std::string error;
    if ((client_ || (client_ = RedisClient::Connect(url_, kDeadline, error))) && ReadOnce(error)) {
      backoff = kFirstBackoff;
      if (warned) {
        std::fprintf(stderr, "ssetail: --relay %s: reading run %s again\n", url_.Display().c_str(),
                     history_.run_id().c_str());
        warned = false;
      }
      continue;
    }
    client_.reset();
    if (!warned) {
      std::fprintf(stderr, "ssetail: warning: --relay %s: run %s: %s; retrying\n",
                   url_.Display().c_str(), history_.run_id().c_str(), error.c_str());
      warned = true;
    }
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, backoff, [this] { return stopping_; });
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
  }
}

bool RedisRunSource::ReadOnce(std::string& error) {
  const std::string after = "0-" + std::to_string(last_seq_);
  RedisReply reply;
  if (!client_->Command({"XREAD", "COUNT", "2000", "BLOCK", "1000", "STREAMS", stream_key_, after},
                        reply, error)) {
    return false;
  }
  if (reply.error()) {
    error = "XREAD: " + reply.text;
    return false;
  }
  // Nil: nothing new within the block time. Otherwise [[key, [[id, [field, value, …]], …]]].
  if (reply.elements.empty() || reply.elements.front().elements.size() < 2) return true;
  const RedisReply& entries = reply.elements.front().elements[1];
  if (last_seq_ == 0 && !entries.elements.empty() &&
      SeqOfEntryId(entries.elements.front().elements.front().text) != 1) {
    // The `start` entry was trimmed: every run's history begins with one.
    const std::string start = StartFromMeta(error);
    if (start.empty()) return false;
    History::Writer writer(history_);
    writer.Append(EventType::Start, start, 0);
    last_seq_ = 1;
  }
  AppendEntries(entries);
  history_.WaitForRecorder();
  return true;
}

void RedisRunSource::AppendEntries(const RedisReply& entries) {
  std::optional<std::string> exit_data;
  {
    History::Writer writer(history_);
    std::string line;
    for (const RedisReply& entry : entries.elements) {
      if (entry.elements.size() < 2) continue;
      const std::uint64_t seq = SeqOfEntryId(entry.elements[0].text);
      if (seq <= last_seq_) continue;  // not one of ssetail's ids, or already read
      std::string_view event, data;
      const auto& fields = entry.elements[1].elements;
      for (std::size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].text == "event") event = fields[i + 1].text;
        if (fields[i].text == "data") data = fields[i + 1].text;
      }
      // The entry as a record line: the record's parser checks it, and decodes the text.
      line = "{\"id\":";
      json::AppendString(line, history_.run_id() + "." + std::to_string(seq));
      line += ",\"event\":";
      json::AppendString(line, event);
      line += ",\"data\":";
      line += data;
      line += '}';
      text_.clear();
      const auto parsed = record::ParseLine(line, text_);
      if (!parsed || (parsed->type == EventType::Start) != (seq == 1)) {
        std::fprintf(stderr, "ssetail: warning: --relay: run %s: entry 0-%llu is not an event\n",
                     history_.run_id().c_str(), static_cast<unsigned long long>(seq));
        last_seq_ = seq;
        continue;  // served as a gap
      }
      writer.SkipTo(seq);  // ids Redis no longer has: a gap for clients
      last_seq_ = seq;
      if (parsed->type == EventType::Exit) {
        exit_data = std::string(parsed->data);
        break;
      }
      writer.Append(parsed->type, IsOutput(parsed->type) ? parsed->text : parsed->data,
                    parsed->t_ms, parsed->end);
    }
  }
  if (exit_data) {
    history_.AppendLast(EventType::Exit, *exit_data, 0);
    ended_ = true;
  }
}

std::string RedisRunSource::StartFromMeta(std::string& error) {
  RedisReply reply;
  if (!client_->Command({"HGETALL", url_.MetaKey(history_.run_id())}, reply, error)) return {};
  std::string title, command = "null", started;
  for (std::size_t i = 0; i + 1 < reply.elements.size(); i += 2) {
    const std::string& key = reply.elements[i].text;
    const std::string& value = reply.elements[i + 1].text;
    if (key == "title") title = value;
    if (key == "command") command = value;
    if (key == "started") started = value;
  }
  std::string start = "{\"command\":" + command + ",\"pid\":null,\"started\":";
  json::AppendString(start, started);
  start += ",\"title\":";
  json::AppendString(start, title);
  start += '}';
  return start;
}

}  // namespace ssetail
