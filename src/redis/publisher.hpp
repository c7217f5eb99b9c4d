// `--publish redis://…` (SPEC §10): an outlet that copies the run's events into a Redis
// stream, on a thread of its own.
//
// Like an SSE stream, it is a reader of the History with its own cursor: capture never waits
// for it (it takes the History's lock only to copy a slice description). It wakes every
// 10 ms, reads what was published since, and sends it as one pipeline of XADDs with the ids
// `0-SEQ`, plus the run's index entry and meta hash, and the TTL once the run has ended.
// What left the memory history before it was sent comes from the run record.
//
// When Redis cannot be reached, refuses, or does not answer within 2 s, it prints one warning
// line and tries again with backoff (up to 5 s apart); once connected again it asks Redis
// for the stream's last id and resumes after it (everything, index and meta included, when
// Redis came back empty), then prints one line saying so. Nothing is lost as long as the
// record (or memory) still holds the events Redis lacks.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "history/history.hpp"
#include "record/record_reader.hpp"
#include "record/run_record.hpp"
#include "redis/redis_client.hpp"
#include "redis/redis_url.hpp"

namespace ssetail {

struct PublishOptions {
  RedisUrl url;
  std::int64_t ttl_seconds = 7 * 24 * 3600;  // --publish-ttl: a finished run's keys expire
};

class Publisher {
 public:
  // `record` may be null (--no-record): then what memory lost before it was sent is lost
  // to Redis too (a gap for relays). Both must outlive the publisher.
  Publisher(const History& history, const RunRecord* record, PublishOptions options);
  ~Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  void Start();
  // Waits until the run's final event is in Redis, at most `patience`; then stops the
  // thread, which ends whatever it waits for at once (RedisStop): returns within `patience`
  // and a poll, whatever the server does. False (after a warning line) when Redis did not
  // get everything.
  bool Finish(std::chrono::milliseconds patience);

 private:
  struct Entry {
    std::uint64_t seq;
    std::string_view type;  // the event's name
    std::string data;       // its data in the JSON format
  };

  void Run();
  bool Connect(std::string& error);
  bool Collect();  // the next batch from cursor_ into batch_; false when nothing is new
  bool CollectFromRecord(std::uint64_t last);
  bool Send(std::string& error);
  void AppendMeta(bool exited);
  void AppendEnd();                                // the run ended: meta says so, the keys expire
  void Sleep(std::chrono::milliseconds duration);  // or until Finish/the destructor

  const History& history_;
  const RunRecord* const record_;
  const PublishOptions options_;
  const std::string stream_key_;
  const std::string meta_key_;

  // The thread's own.
  std::unique_ptr<RedisClient> client_;
  std::uint64_t cursor_ = 1;  // the next event to send
  bool meta_written_ = false;
  bool warned_ = false;  // a warning line is out; a line says when Redis is back
  std::vector<Entry> batch_;
  bool batch_ends_ = false;       // batch_ holds the final event
  std::uint64_t batch_next_ = 1;  // cursor_ once batch_ is in Redis
  std::string record_scratch_;
  std::unique_ptr<RecordReader> reader_;

  RedisStop stop_;  // ends the client's waits: Finish and the destructor
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  bool delivered_ = false;  // the final event is in Redis
  std::uint64_t sent_through_ = 0;
  std::thread thread_;
};

}  // namespace ssetail
