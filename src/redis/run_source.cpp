#include "redis/run_source.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <vector>

#include "base/warn.hpp"
#include "redis/run_entries.hpp"
#include "redis/run_meta.hpp"
#include "text/printable.hpp"

namespace ssetail {

namespace {

using namespace std::chrono_literals;

constexpr auto kDeadline = 3000ms;  // connecting, and each read (which blocks up to 1 s)
constexpr auto kFirstBackoff = 100ms;
constexpr auto kMaxBackoff = 5000ms;

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
  stop_.Request();  // a read under way ends now
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
    if ((client_ || (client_ = RedisClient::Connect(url_, RedisClient::Clock::now() + kDeadline,
                                                    &stop_, error))) &&
        ReadOnce(error)) {
      backoff = kFirstBackoff;
      if (warned) {
        Say("--relay " + url_.Display() + ": reading run " + history_.run_id() + " again");
        warned = false;
      }
      continue;
    }
    client_.reset();
    if (stop_.requested()) break;
    if (!warned) {
      Warn("--relay " + url_.Display() + ": run " + history_.run_id() + ": " + error +
           "; retrying");
      warned = true;
    }
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, backoff, [this] { return stopping_; });
    backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
  }
}

bool RedisRunSource::ReadOnce(std::string& error) {
  RedisReply reply;
  if (!client_->Command({"XREAD", "COUNT", "2000", "BLOCK", "1000", "STREAMS", stream_key_, after_},
                        reply, RedisClient::Clock::now() + kDeadline, error)) {
    return false;
  }
  if (reply.error()) {
    error = "XREAD: " + reply.text;
    return false;
  }
  // Nil: nothing new within the block time. Otherwise [[key, [[id, [field, value, …]], …]]].
  if (reply.elements.empty() || reply.elements.front().elements.size() < 2) return true;
  const RedisReply& entries = reply.elements.front().elements[1];
  if (entries.elements.empty()) return true;
  if (last_seq_ == 0 && !entries.elements.front().elements.empty() &&
      SeqOfEntryId(entries.elements.front().elements.front().text) != 1) {
    // The `start` entry was trimmed: every run's history begins with one.
    const std::optional<std::string> start = StartFromMeta(error);
    if (!start) return false;
    History::Writer writer(history_);
    writer.Append(EventType::Start, *start, 0);
    last_seq_ = 1;
  }
  AppendEntries(entries);
  history_.WaitForRecorder();
  return true;
}

void RedisRunSource::WarnBadEntry(const std::string& entry, const std::string& why) {
  if (warned_bad_entry_) return;  // once per run is enough
  warned_bad_entry_ = true;
  Warn("--relay: run " + history_.run_id() + ": entry " + text::Printable(entry.substr(0, 64)) +
       " is not an event (" + why +
       "); served as a gap, and other bad entries of this run without a word");
}

void RedisRunSource::AppendEntries(const RedisReply& entries) {
  std::optional<std::string> exit_data;
  {
    History::Writer writer(history_);
    std::vector<std::string_view> fields;
    std::string why;
    for (const RedisReply& entry : entries.elements) {
      if (entry.elements.empty()) continue;
      const std::string& id = entry.elements[0].text;
      after_ = id;  // the next read goes on after it, whatever it is
      const std::optional<std::uint64_t> seq = SeqOfEntryId(id);
      if (!seq) {
        WarnBadEntry(id, "not 0-SEQ with SEQ from 1 to 2^53");
        continue;
      }
      if (*seq <= last_seq_) continue;  // already read
      fields.clear();
      if (entry.elements.size() >= 2) {
        for (const RedisReply& field : entry.elements[1].elements) fields.push_back(field.text);
      }
      text_.clear();
      const std::optional<DecodedEntry> decoded =
          DecodeEntry(history_.run_id(), *seq, fields, text_, why);
      if (!decoded || (decoded->line.type == EventType::Start) != (*seq == 1)) {
        WarnBadEntry(id,
                     decoded ? "a \"start\" that is not the first, or a first that is not" : why);
        last_seq_ = *seq;
        continue;  // served as a gap
      }
      if (decoded->cut) WarnBadEntry(id, "a text over 192 KiB, cut to its first 64 KiB");
      const record::Line& line = decoded->line;
      writer.SkipTo(*seq);  // ids Redis no longer has: a gap for clients
      last_seq_ = *seq;
      if (line.type == EventType::Exit) {
        exit_data = std::string(line.data);
        break;
      }
      writer.Append(line.type, IsOutput(line.type) ? line.text : line.data, line.t_ms, line.end);
    }
  }
  if (exit_data) {
    history_.AppendLast(EventType::Exit, *exit_data, 0);
    ended_ = true;
  }
}

std::optional<std::string> RedisRunSource::StartFromMeta(std::string& error) {
  RedisReply reply;
  if (!client_->Command({"HGETALL", url_.MetaKey(history_.run_id())}, reply,
                        RedisClient::Clock::now() + kDeadline, error)) {
    return std::nullopt;
  }
  std::vector<std::string_view> fields;
  for (const RedisReply& field : reply.elements) fields.push_back(field.text);
  return StartDataFromMeta(DecodeRunMeta(fields));
}

}  // namespace ssetail
