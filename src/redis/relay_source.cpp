#include "redis/relay_source.hpp"

#include "base/warn.hpp"
#include "redisformat/backoff.hpp"
#include "redisformat/entry_id.hpp"
#include "redisformat/run_meta.hpp"
#include "text/printable.hpp"

namespace ssetail {

namespace {

using namespace std::chrono_literals;
using Clock = RedisClient::Clock;

constexpr auto kDeadline = 3000ms;  // connecting, and each read beyond the time it may block
constexpr std::size_t kEntriesPerRead = 64;  // batches: up to 4 MiB per read

}  // namespace

struct RedisRunSource::Read {
  std::string_view id;
  Result<DecodedBatch> batch;
};

RedisRunSource::RedisRunSource(RedisUrl url, History& history,
                               std::promise<std::uint64_t> caught_up)
    : url_(std::move(url)),
      history_(history),
      stream_key_(url_.StreamKey(history.run_id())),
      meta_key_(url_.MetaKey(history.run_id())),
      alive_key_(url_.AliveKey(history.run_id())),
      caught_up_(std::move(caught_up)) {}

RedisRunSource::~RedisRunSource() {
  RequestStop();
  if (thread_.joinable()) thread_.join();
}

void RedisRunSource::RequestStop() {
  stop_.Request();  // a read or a backoff under way ends now
}

void RedisRunSource::Start(std::function<void()> ended) {
  thread_ = std::thread([this, ended = std::move(ended)] { Run(ended); });
}

void RedisRunSource::CaughtUp() {
  if (!caught_up_) return;
  caught_up_->set_value(last_seq_);
  caught_up_.reset();
}

void RedisRunSource::Run(const std::function<void()>& ended) {
  Backoff backoff;
  bool warned = false;
  while (!ended_ && !stop_.requested()) {
    Result<void> read;
    if (!client_) {
      Result<std::unique_ptr<RedisClient>> connected =
          RedisClient::Connect(url_, Clock::now() + kDeadline, &stop_);
      if (connected) client_ = std::move(*connected);
      read = connected ? Reanchor() : Error{connected.error()};
      if (read) read = ReadOnce();
    } else {
      read = ReadOnce();
    }
    if (read) {
      backoff.Reset();
      if (warned) {
        Say("--relay " + url_.Display() + ": reading run " + history_.run_id() + " again");
        warned = false;
      }
      continue;
    }
    client_.reset();
    state_.reset();
    if (stop_.requested()) break;
    CaughtUp();  // a first request is served with what there is
    if (!warned) {
      Warn("--relay " + url_.Display() + ": run " + history_.run_id() + ": " + read.error() +
           "; retrying");
      warned = true;
    }
    if (!stop_.Sleep(backoff.Next())) break;
  }
  CaughtUp();
  if (ended_) ended();
}

// Where reading goes on after a connection: at the entry holding the event after the last
// one appended. Not simply after the last entry read: a Redis that came back empty is
// refilled by its publisher in batches of other bounds, and an entry that begins at or
// before that event may hold the ones after it.
Result<void> RedisRunSource::Reanchor() {
  after_ = "0-0";
  if (last_seq_ == 0) return {};
  const Result<RedisReply> reply =
      client_->Command({"XREVRANGE", stream_key_, EntryId(last_seq_ + 1), "-", "COUNT", "1"},
                       Clock::now() + kDeadline);
  if (!reply) return Error{reply.error()};
  if (reply->error()) return Error{"XREVRANGE: " + reply->text};
  if (!reply->elements.empty() && !reply->elements.front().elements.empty()) {
    const auto first = SeqOfEntryId(reply->elements.front().elements.front().text);
    if (first) after_ = EntryId(*first - 1);  // "0-0" too: nothing is before 0-1
  }
  return {};
}

Result<void> RedisRunSource::ReadOnce() {
  // The lease as it is now: it was asked for at the start of the last read, which may have
  // waited for most of it.
  const std::chrono::milliseconds block =
      state_ ? ReadBlock(Later(*state_, std::chrono::duration_cast<std::chrono::milliseconds>(
                                            Clock::now() - state_asked_)))
             : 0ms;
  const std::string count = std::to_string(kEntriesPerRead);
  // The lease and the meta first: if the lease is gone, whatever its publisher wrote before
  // deleting it (its `exit`) is in the stream when the XREAD runs.
  client_->Append({"PTTL", alive_key_});
  client_->Append({"EXISTS", meta_key_});
  if (block > 0ms) {
    const std::string ms = std::to_string(block.count());
    client_->Append({"XREAD", "COUNT", count, "BLOCK", ms, "STREAMS", stream_key_, after_});
  } else {
    client_->Append({"XREAD", "COUNT", count, "STREAMS", stream_key_, after_});
  }
  const auto asked = Clock::now();
  const Result<std::vector<RedisReply>> replies = client_->Replies(asked + block + kDeadline);
  if (!replies) return Error{replies.error()};
  if (replies->size() != 3) return Error{"out of memory"};
  const RedisReply& pttl = (*replies)[0];
  const RedisReply& known = (*replies)[1];
  const RedisReply& read = (*replies)[2];
  if (pttl.error()) return Error{"PTTL: " + pttl.text};
  if (known.error()) return Error{"EXISTS: " + known.text};
  if (read.error()) return Error{"XREAD: " + read.text};
  if (known.integer == 1) {
    unknown_since_.reset();
  } else if (!unknown_since_) {
    unknown_since_ = asked;
  }
  state_ = ReadState{LeaseOfPttl(pttl.integer), std::nullopt};
  state_asked_ = asked;
  if (unknown_since_) {
    state_->unknown_for =
        std::chrono::duration_cast<std::chrono::milliseconds>(asked - *unknown_since_);
  }
  // Nil: nothing new within the block time. Otherwise [[key, [[id, [field, value, …]], …]]].
  std::size_t entries = 0;
  if (!read.elements.empty() && read.elements.front().elements.size() >= 2) {
    const RedisReply& list = read.elements.front().elements[1];
    entries = list.elements.size();
    if (Result<void> appended = AppendEntries(list); !appended) return appended;
  }
  const ReadState now =
      Later(*state_, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - asked));
  if (!ended_ && entries == 0 && IsLost(now)) {
    history_.End();  // lost: its publisher is gone without `exit`
    ended_ = true;
  }
  if (entries < kEntriesPerRead) CaughtUp();  // it read all there was
  return {};
}

Result<void> RedisRunSource::AppendEntries(const RedisReply& entries) {
  std::vector<Read> reads;
  reads.reserve(entries.elements.size());
  std::vector<std::string_view> fields;
  for (const RedisReply& entry : entries.elements) {
    if (entry.elements.empty()) continue;
    fields.clear();
    if (entry.elements.size() >= 2) {
      for (const RedisReply& field : entry.elements[1].elements) fields.push_back(field.text);
    }
    reads.push_back({entry.elements[0].text, DecodeBatch(entry.elements[0].text, fields)});
  }
  // Every run's history begins with a `start`: when its entry was trimmed (or cannot be
  // read), one is made from the meta hash.
  std::optional<std::string> start;
  if (last_seq_ == 0) {
    for (const Read& read : reads) {
      if (!read.batch) continue;
      if (read.batch->first_seq != 1) {
        Result<std::string> made = StartFromMeta();
        if (!made) return Error{made.error()};  // read again: after_ has not moved
        start = std::move(*made);
      }
      break;
    }
  }
  for (const Read& read : reads) {  // (not under the History's lock, which appending takes)
    if (!read.batch) WarnBadEntry(read.id, read.batch.error());
    if (read.batch && read.batch->cut) {
      WarnBadEntry(read.id, "a text over 192 KiB, cut to its first 64 KiB");
    }
  }
  AppendDecoded(reads, std::move(start));
  if (!reads.empty()) after_ = std::string(reads.back().id);  // the next read goes on after it
  return {};
}

void RedisRunSource::AppendDecoded(const std::vector<Read>& reads,
                                   std::optional<std::string> start) {
  if (start) {
    History::Writer(history_).Append(EventType::Start, *start, 0);
    last_seq_ = 1;
  }
  for (const Read& read : reads) {
    if (!read.batch) continue;  // its events: a gap before the next
    std::optional<std::string_view> exit_data;
    std::uint64_t seq = read.batch->first_seq;
    {
      // One batch at a time, as capture appends one read at a time: readers (the pump)
      // are not locked out for a whole reply, and the recorder keeps up (below).
      History::Writer writer(history_);
      for (const BatchEvent& event : read.batch->events) {
        if (seq <= last_seq_) {  // already appended
          ++seq;
          continue;
        }
        if (event.type == EventType::Exit) {
          exit_data = event.data;
          writer.SkipTo(seq);  // and AppendLast appends it with that SEQ
          break;
        }
        writer.SkipTo(seq);  // ids Redis no longer has, or could not give: a gap
        writer.Append(event.type, event.data, event.t_ms, event.end);
        last_seq_ = seq++;
      }
    }
    if (exit_data) {
      history_.AppendLast(EventType::Exit, *exit_data, 0);
      last_seq_ = seq;
      ended_ = true;
      return;  // nothing after `exit` is read
    }
    history_.WaitForRecorder();
  }
}

void RedisRunSource::WarnBadEntry(std::string_view id, const std::string& why) {
  if (warned_bad_entry_) return;  // once per run is enough
  warned_bad_entry_ = true;
  Warn("--relay: run " + history_.run_id() + ": entry " + text::Printable(id.substr(0, 64)) +
       " is not a batch of events (" + why +
       "); served as a gap, and other bad entries of this run without a word");
}

Result<std::string> RedisRunSource::StartFromMeta() {
  const Result<RedisReply> reply =
      client_->Command({"HGETALL", meta_key_}, Clock::now() + kDeadline);
  if (!reply) return Error{reply.error()};
  std::vector<std::string_view> fields;
  for (const RedisReply& field : reply->elements) fields.push_back(field.text);
  return StartDataFromMeta(DecodeRunMeta(fields));
}

}  // namespace ssetail
