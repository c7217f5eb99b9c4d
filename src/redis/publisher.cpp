#include "redis/publisher.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "base/warn.hpp"
#include "events/sse_format.hpp"
#include "record/record_reader.hpp"
#include "redis/json_fields.hpp"
#include "redis/run_entries.hpp"

namespace ssetail {

namespace {

using namespace std::chrono_literals;

// How often new events are looked for: often while the run is busy (the relay hop's
// latency is this poll), seldom once it has been quiet for a while. Polled rather than
// woken: the History has one append listener, the stream pump's.
constexpr auto kBusyPoll = 1ms;
constexpr auto kQuietPoll = 10ms;
constexpr int kBusyPolls = 200;     // empty polls before the run counts as quiet
constexpr auto kDeadline = 2000ms;  // for connecting and for each round trip
constexpr auto kFirstBackoff = 100ms;
constexpr auto kMaxBackoff = 5000ms;  // SPEC §10
constexpr std::size_t kBatchEvents = 2000;
constexpr std::size_t kBatchBytes = 1 << 20;

std::string EntryId(std::uint64_t seq) {
  return "0-" + std::to_string(seq);
}

// An XADD of an id Redis already holds: it was sent before a reply got lost.
bool AlreadyThere(const RedisReply& reply) {
  return reply.text.find("equal or smaller") != std::string::npos;
}

}  // namespace

Publisher::Publisher(const History& history, const RunRecord* record, PublishOptions options)
    : history_(history),
      record_(record),
      options_(std::move(options)),
      stream_key_(options_.url.StreamKey(history.run_id())),
      meta_key_(options_.url.MetaKey(history.run_id())) {}

Publisher::~Publisher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.Request();
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Publisher::Start() {
  thread_ = std::thread([this] { Run(); });
}

bool Publisher::Finish(std::chrono::milliseconds patience) {
  std::unique_lock lock(mutex_);
  const bool delivered = changed_.wait_for(lock, patience, [this] { return delivered_; });
  stopping_ = true;
  const std::uint64_t through = sent_through_;
  lock.unlock();
  // Whatever the thread waits for (Redis, a backoff) ends now: joined within a poll.
  stop_.Request();
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!delivered) {
    Warn("--publish " + options_.url.Display() + ": gave up after " +
         std::to_string(patience.count() / 1000) + " s; Redis has the events up to " +
         std::to_string(through) + ", not the rest of the run");
  }
  return delivered;
}

void Publisher::Sleep(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, duration, [this] { return stopping_; });
}

void Publisher::Run() {
  auto backoff = kFirstBackoff;
  int empty_polls = 0;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    std::string error;
    bool idle = false;
    bool ok = client_ || Connect(error);
    if (ok) {
      idle = !Collect();
      // With nothing new, only the meta may be due (after connecting).
      ok = (idle && meta_written_) || Send(error);
    }
    if (!ok) {
      client_.reset();
      if (stop_.requested()) return;  // Finish gave up: it says so itself
      if (!warned_) {
        Warn("--publish " + options_.url.Display() + ": " + error +
             "; retrying (the run record keeps what Redis lacks)");
        warned_ = true;
      }
      Sleep(backoff);
      backoff = std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
      continue;
    }
    backoff = kFirstBackoff;
    empty_polls = idle ? empty_polls + 1 : 0;
    if (idle) Sleep(empty_polls <= kBusyPolls ? kBusyPoll : kQuietPoll);
  }
}

bool Publisher::Connect(std::string& error) {
  const auto deadline = RedisClient::Clock::now() + kDeadline;
  client_ = RedisClient::Connect(options_.url, deadline, &stop_, error);
  if (!client_) return false;
  // Resume after the last event Redis has: everything, when it has none of this run.
  RedisReply reply;
  if (!client_->Command({"XREVRANGE", stream_key_, "+", "-", "COUNT", "1"}, reply,
                        RedisClient::Clock::now() + kDeadline, error)) {
    return false;
  }
  if (reply.error()) {
    error = "XREVRANGE: " + reply.text;
    return false;
  }
  std::uint64_t last = 0;
  if (!reply.elements.empty() && !reply.elements.front().elements.empty()) {
    // Not one of ours (past 2^53, not 0-SEQ): the run is sent again from its start.
    last = SeqOfEntryId(reply.elements.front().elements.front().text).value_or(0);
  }
  cursor_ = last + 1;
  meta_written_ = false;
  batch_.clear();
  if (warned_) {
    Say("--publish " + options_.url.Display() + ": connected; resuming after event " +
        std::to_string(last));
    warned_ = false;
  }
  std::lock_guard lock(mutex_);
  sent_through_ = last;
  return true;
}

bool Publisher::Collect() {
  batch_.clear();
  batch_ends_ = false;
  batch_next_ = cursor_;
  std::size_t bytes = 0;
  while (batch_.size() < kBatchEvents && bytes < kBatchBytes && !batch_ends_) {
    History::Slice slice = history_.Read(batch_next_);
    if (slice.status != History::ReadStatus::Events) break;
    // Memory no longer has some: the record does (unless --record-max dropped them).
    if (slice.missed > 0 && record_ != nullptr && CollectFromRecord(slice.next_seq - 1)) break;
    for (const EventView event : slice) {
      Entry entry{event.seq, EventTypeName(event.type), {}};
      if (IsOutput(event.type)) {
        sse::AppendJsonOutputData(entry.data, event.data, event.t_ms, event.end);
      } else {
        entry.data = event.data;
      }
      bytes += entry.data.size();
      batch_.push_back(std::move(entry));
    }
    batch_next_ = slice.next_seq;
    batch_ends_ = slice.reached_end;
  }
  return !batch_.empty();
}

// Events batch_next_..`last` from the record, each with its JSON data (an NDJSON record
// holds it; a compact one is encoded here). False when the record holds none of them.
bool Publisher::CollectFromRecord(std::uint64_t last) {
  if (!reader_) reader_ = std::make_unique<RecordReader>(*record_);
  const std::size_t before = batch_.size();
  std::size_t bytes = 0;
  while (batch_.size() < kBatchEvents && bytes < kBatchBytes && batch_next_ <= last) {
    const RecordReader::Result read = reader_->ReadEvents(
        batch_next_, last, record_scratch_, [&](std::uint64_t, const record::Line& line) {
          // Ids the record skips (a gap) are lost to Redis too: nothing to send for them.
          Entry entry{line.seq, EventTypeName(line.type), {}};
          if (IsOutput(line.type) && line.data.empty()) {
            sse::AppendJsonOutputData(entry.data, line.text, line.t_ms, line.end);
          } else {
            entry.data = std::string(line.data);
          }
          bytes += entry.data.size();
          batch_ends_ = line.type == EventType::Exit;
          batch_.push_back(std::move(entry));
          return batch_.size() < kBatchEvents && bytes < kBatchBytes;
        });
    if (!read.appended) break;
    batch_next_ = read.next_seq;
  }
  return batch_.size() > before;
}

void Publisher::AppendMeta(bool exited) {
  const std::optional<std::string> start = history_.FirstEventData();
  if (!start) return;
  const auto field = [&start](std::string_view key) {
    return json::RawField(*start, key).value_or("null");
  };
  const std::string title = json::DecodeString(field("title")).value_or("");
  const std::string started = json::DecodeString(field("started")).value_or("");
  const std::string score = std::to_string(json::ParseIsoUtcMs(started).value_or(0));
  client_->Append({"HSET", meta_key_, "title", title, "command", field("command"), "started",
                   started, "state", exited ? "exited" : "running"});
  client_->Append({"ZADD", options_.url.RunsKey(), score, history_.run_id()});
  if (exited) AppendEnd();
}

void Publisher::AppendEnd() {
  const std::string exit = history_.LastEventData().value_or("null");
  const std::string ttl = std::to_string(options_.ttl_seconds);
  client_->Append({"HSET", meta_key_, "state", "exited", "exit", exit});
  client_->Append({"EXPIRE", stream_key_, ttl});
  client_->Append({"EXPIRE", meta_key_, ttl});
}

bool Publisher::Send(std::string& error) {
  const bool first = !meta_written_ && history_.FirstEventData().has_value();
  // Redis already has the whole run (a reconnection after the end): only meta and TTL.
  if (first) AppendMeta(batch_.empty() && history_.IsLastEvent(cursor_ - 1));
  for (const Entry& entry : batch_) {
    client_->Append(
        {"XADD", stream_key_, EntryId(entry.seq), "event", entry.type, "data", entry.data});
  }
  if (batch_ends_) AppendEnd();
  std::vector<RedisReply> replies;
  // One deadline for the whole round trip, however slowly Redis answers.
  if (!client_->Replies(replies, RedisClient::Clock::now() + kDeadline, error)) return false;
  for (const RedisReply& reply : replies) {
    if (reply.error() && !AlreadyThere(reply)) {
      error = "Redis refused an update: " + reply.text;
      return false;
    }
  }
  if (first) meta_written_ = true;
  if (!batch_.empty()) cursor_ = batch_next_;
  batch_.clear();
  std::lock_guard lock(mutex_);
  sent_through_ = cursor_ - 1;
  if (meta_written_ && history_.IsLastEvent(cursor_ - 1)) {
    delivered_ = true;
    changed_.notify_all();
  }
  return true;
}

}  // namespace ssetail
