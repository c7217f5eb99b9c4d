#include "redis/publisher.hpp"

#include <algorithm>

#include "base/warn.hpp"
#include "redisformat/backoff.hpp"
#include "redisformat/entry_id.hpp"
#include "redisformat/lease.hpp"
#include "redisformat/run_meta.hpp"

namespace ssetail {

namespace {

using namespace std::chrono_literals;
using Clock = RedisClient::Clock;

constexpr auto kDeadline = 2000ms;            // for connecting and for each round trip
constexpr std::size_t kRoundBytes = 1 << 20;  // of batches sent in one round trip

}  // namespace

Publisher::Publisher(const History& history, const RunRecord* record, PublishOptions options)
    : history_(history),
      record_(record),
      options_(std::move(options)),
      stream_key_(options_.url.StreamKey(history.run_id())),
      meta_key_(options_.url.MetaKey(history.run_id())),
      alive_key_(options_.url.AliveKey(history.run_id())) {}

Publisher::~Publisher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stop_.Request();
  wakeup_.Signal();
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
  wakeup_.Signal();
  if (thread_.joinable()) thread_.join();
  if (!delivered) {
    Warn("--publish " + options_.url.Display() + ": gave up after " +
         std::to_string(patience.count() / 1000) + " s; Redis has the events up to " +
         std::to_string(through) + ", not the rest of the run");
  }
  return delivered;
}

void Publisher::SetProblemCounts(std::uint64_t errors, std::uint64_t warnings,
                                 std::uint64_t first_error) {
  {
    std::lock_guard lock(mutex_);
    const Counts counts{errors, warnings, first_error};
    // Not delivered until Redis has these too (Finish waits for them).
    if (counts_ != counts) delivered_ = false;
    counts_ = counts;
  }
  wakeup_.Signal();
}

bool Publisher::Stopping() {
  std::lock_guard lock(mutex_);
  return stopping_;
}

void Publisher::Run() {
  // Woken by every publish from now on; what was published before is read at once.
  const History::Subscription subscription = history_.Subscribe(wakeup_);
  Backoff backoff;
  for (;;) {
    wakeup_.Reset();  // before looking: a publish from now on wakes the next wait
    if (Stopping()) return;
    if (!client_) {
      if (Result<void> connected = Connect(); !connected) {
        if (!Failed(connected.error(), backoff.Next())) return;
        continue;
      }
    }
    const Result<bool> sent = Round();
    if (!sent) {
      if (!Failed(sent.error(), backoff.Next())) return;
      continue;
    }
    backoff.Reset();
    if (*sent) continue;  // more may have come meanwhile
    // Nothing to send: until a publish, new counts, Finish, or the lease's refresh.
    if (end_written_) {
      wakeup_.Wait();
    } else {
      wakeup_.WaitUntil(lease_due_);
    }
  }
}

bool Publisher::Failed(const std::string& error, std::chrono::milliseconds backoff) {
  client_.reset();
  if (stop_.requested()) return false;  // Finish gave up: it says so itself
  if (!warned_) {
    Warn("--publish " + options_.url.Display() + ": " + error +
         "; retrying (the run record keeps what Redis lacks)");
    warned_ = true;
  }
  // Only a stop ends the backoff early: new events wait for Redis like the others.
  return stop_.Sleep(backoff);
}

Result<void> Publisher::Connect() {
  Result<std::unique_ptr<RedisClient>> connected =
      RedisClient::Connect(options_.url, Clock::now() + kDeadline, &stop_);
  if (!connected) return Error{connected.error()};
  client_ = std::move(*connected);
  // Resume after the last event Redis has: everything, when it has none of this run.
  const Result<RedisReply> top = client_->Command(
      {"XREVRANGE", stream_key_, "+", "-", "COUNT", "1"}, Clock::now() + kDeadline);
  if (!top) return Error{top.error()};
  if (top->error()) return Error{"XREVRANGE: " + top->text};
  std::uint64_t last = 0;
  if (!top->elements.empty() && top->elements.front().elements.size() >= 2) {
    const RedisReply& entry = top->elements.front();
    std::vector<std::string_view> fields;
    for (const RedisReply& field : entry.elements[1].elements) fields.push_back(field.text);
    // Not one of ours (a time-based id): the run is sent again from its start, and Redis
    // refuses it (ids must grow), which the warning then says.
    last = LastSeqOfEntry(entry.elements[0].text, fields).value_or(0);
  }
  cursor_ = last + 1;
  start_written_ = end_written_ = false;
  counts_written_.reset();
  lease_due_ = Clock::now();
  if (warned_) {
    Say("--publish " + options_.url.Display() + ": connected; resuming after event " +
        std::to_string(last));
    warned_ = false;
  }
  std::lock_guard lock(mutex_);
  sent_through_ = last;
  return {};
}

Result<bool> Publisher::Round() {
  const std::uint64_t next = Collect();
  const bool ends = history_.IsLastEvent(next - 1);
  std::size_t commands = 0;
  const auto now = Clock::now();
  const bool lease_due = !ends && now >= lease_due_;
  if (lease_due) {
    // Before the meta: a relay never sees a run said running without its lease.
    const std::string ttl = std::to_string(kLeaseTtl.count());
    client_->Append({"SET", alive_key_, "1", "PX", ttl});
    ++commands;
  }
  const bool start = !start_written_ && history_.FirstEventData().has_value();
  if (start) {
    AppendStart();
    commands += 2;
  }
  for (std::size_t i = 0; i < batched_; ++i) {
    const BatchBuilder& batch = batches_[i];
    const std::string id = EntryId(batch.first_seq());
    const std::string n = std::to_string(batch.count());
    client_->Append({"XADD", stream_key_, id, "n", n, "events", batch.text()});
    ++commands;
  }
  std::optional<Counts> counts;
  {
    std::lock_guard lock(mutex_);
    counts = counts_;
  }
  if (counts && counts != counts_written_) {
    const std::string errors = std::to_string(counts->errors);
    const std::string warnings = std::to_string(counts->warnings);
    const std::string first_error = std::to_string(counts->first_error);
    client_->Append(
        {"HSET", meta_key_, "errors", errors, "warnings", warnings, "first_error", first_error});
    ++commands;
  }
  const bool end = ends && !end_written_ && (start_written_ || start);
  if (end) {
    AppendEnd();
    commands += 4;
  }
  if (commands == 0) return false;
  // One deadline for the whole round trip, however slowly Redis answers.
  Result<std::vector<RedisReply>> replies = client_->Replies(Clock::now() + kDeadline);
  if (!replies) return Error{replies.error()};
  if (replies->size() != commands) return Error{"out of memory"};
  for (const RedisReply& reply : *replies) {
    if (reply.error()) return Error{"Redis refused an update: " + reply.text};
  }
  if (lease_due) lease_due_ = now + kLeaseRefresh;
  start_written_ = start_written_ || start;
  end_written_ = end_written_ || end;
  if (counts) counts_written_ = counts;
  cursor_ = next;
  std::lock_guard lock(mutex_);
  sent_through_ = cursor_ - 1;
  if (end_written_ && counts_ == counts_written_) {
    delivered_ = true;
    changed_.notify_all();
  }
  return true;
}

void Publisher::AddEvent(std::uint64_t seq, EventType type, SegmentEnd end, std::uint32_t t_ms,
                         std::string_view data, std::size_t& bytes) {
  if (batched_ == 0 || !batches_[batched_ - 1].Takes(seq, t_ms, data.size())) {
    if (batched_ < batches_.size()) {
      batches_[batched_].Reset(seq);
    } else {
      batches_.emplace_back(seq);
    }
    ++batched_;
  }
  batches_[batched_ - 1].Add(type, end, t_ms, data);
  bytes += data.size() + 8;
}

std::uint64_t Publisher::Collect() {
  batched_ = 0;
  std::uint64_t next = cursor_;
  std::size_t bytes = 0;
  while (bytes < kRoundBytes) {
    History::Slice slice = history_.Read(next);
    if (slice.status != History::ReadStatus::Events) break;
    // Memory no longer has some: the record does (unless --record-max dropped them).
    if (slice.missed > 0 && record_ != nullptr &&
        CollectFromRecord(next, slice.next_seq - 1, bytes)) {
      break;
    }
    for (const EventView event : slice) {
      AddEvent(event.seq, event.type, event.end, event.t_ms, event.data, bytes);
    }
    next = slice.next_seq;
  }
  return next;
}

// Events `next`..`last` from the record, while the round has room. False when the record
// holds none of them.
bool Publisher::CollectFromRecord(std::uint64_t& next, std::uint64_t last, std::size_t& bytes) {
  if (!reader_) reader_ = std::make_unique<RecordReader>(*record_);
  bool any = false;
  while (bytes < kRoundBytes && next <= last) {
    const RecordReader::Result read = reader_->ReadEvents(
        next, last, record_scratch_, [&](std::uint64_t, const record::Line& line) {
          // Ids the record skips (a gap) are lost to Redis too: a batch starts after them.
          AddEvent(line.seq, line.type, line.end, line.t_ms,
                   IsOutput(line.type) ? line.text : line.data, bytes);
          return bytes < kRoundBytes;
        });
    if (!read.appended) break;
    any = true;
    next = read.next_seq;
  }
  return any;
}

void Publisher::AppendStart() {
  const StartMeta meta = MetaOfStart(history_.FirstEventData().value_or("{}"));
  client_->Append({"HSET", meta_key_, "title", meta.title, "command", meta.command, "started",
                   meta.started, "state", "running"});
  client_->Append({"ZADD", options_.url.RunsKey(), std::to_string(meta.score), history_.run_id()});
}

void Publisher::AppendEnd() {
  const std::string exit = history_.LastEventData().value_or("null");
  const std::string ttl = std::to_string(options_.ttl_seconds);
  client_->Append({"HSET", meta_key_, "state", "exited", "exit", exit});
  client_->Append({"DEL", alive_key_});
  client_->Append({"EXPIRE", stream_key_, ttl});
  client_->Append({"EXPIRE", meta_key_, ttl});
}

}  // namespace ssetail
