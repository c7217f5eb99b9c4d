// `--publish redis://…` (SPEC §10, §15): an outlet that copies the run's events into a Redis
// stream, on a thread of its own.
//
// Like an SSE stream, it is a reader of the History with its own cursor: capture never waits
// for it. It is woken when the History publishes (it subscribes), takes what is new, and
// sends it at once as batches (redisformat/event_batch.hpp: up to 64 KiB or 10 ms of output
// each; what is there when it wakes, so a batch closes as soon as output pauses), several
// per round trip, one pipeline. What left the memory history before it was sent comes from
// the run record. With the first round after each connection go the run's index entry and
// meta hash; the run's lease (redisformat/lease.hpp) is set then and every 5 s; with the
// run's final event go the meta's end, the lease's deletion and the keys' TTL.
//
// When Redis cannot be reached, refuses, or does not answer within 2 s, it prints one warning
// line and tries again with backoff (up to 5 s apart); once connected again it asks Redis
// for the stream's last entry and resumes after its last event (everything, index and meta
// included, when Redis came back empty), then prints one line saying so. Nothing is lost as
// long as the record (or memory) still holds the events Redis lacks.
//
// It sleeps between rounds: until the History publishes, the problem counts change, the
// lease is due, or Finish; and for its backoff while Redis is away. No timer otherwise.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.hpp"
#include "base/wakeup.hpp"
#include "history/history.hpp"
#include "record/record_reader.hpp"
#include "record/run_record.hpp"
#include "redis/redis_client.hpp"
#include "redisformat/event_batch.hpp"
#include "redisformat/redis_url.hpp"

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

  // Starts the thread. Throws std::system_error when there is none to be had.
  void Start();
  // Waits until the run's final event (and the latest SetProblemCounts) is in Redis, at
  // most `patience`; then stops the
  // thread, which ends whatever it waits for at once (RedisStop): returns within `patience`
  // and a poll, whatever the server does. False (after a warning line) when Redis did not
  // get everything.
  bool Finish(std::chrono::milliseconds patience);

  // The run's problem counts (SPEC §12), written to the meta hash's `errors` and `warnings`
  // with the next round, and `first_error`: the line number of the first error (0: none),
  // which the relay's list links to. For the run's indexer; from any thread.
  void SetProblemCounts(std::uint64_t errors, std::uint64_t warnings,
                        std::uint64_t first_error = 0);

 private:
  struct Counts {
    std::uint64_t errors = 0;
    std::uint64_t warnings = 0;
    std::uint64_t first_error = 0;
    bool operator==(const Counts&) const = default;
  };

  void Run();
  Result<void> Connect();
  Result<bool> Round();  // true: something was sent
  // The next round's batches from cursor_ into batches_ (the first `batched_`); returns the
  // cursor after them.
  std::uint64_t Collect();
  bool CollectFromRecord(std::uint64_t& next, std::uint64_t last, std::size_t& bytes);
  void AddEvent(std::uint64_t seq, EventType type, SegmentEnd end, std::uint32_t t_ms,
                std::string_view data, std::size_t& bytes);
  void AppendStart();  // the index entry and the meta hash
  void AppendEnd();    // the run ended: meta says so, the lease goes, the keys expire
  bool Failed(const std::string& error, std::chrono::milliseconds backoff);  // false: stopping
  bool Stopping();

  const History& history_;
  const RunRecord* const record_;
  const PublishOptions options_;
  const std::string stream_key_;
  const std::string meta_key_;
  const std::string alive_key_;

  // The thread's own.
  std::unique_ptr<RedisClient> client_;
  std::uint64_t cursor_ = 1;  // the next event to send
  bool start_written_ = false;
  bool end_written_ = false;
  RedisClient::Clock::time_point lease_due_{};  // when the lease is to be set again
  std::optional<Counts> counts_written_;
  bool warned_ = false;  // a warning line is out; a line says when Redis is back
  std::string record_scratch_;
  std::unique_ptr<RecordReader> reader_;
  std::vector<BatchBuilder> batches_;  // kept from one round to the next, with their room
  std::size_t batched_ = 0;            // of them in this round

  Wakeup wakeup_;   // by the History's publishes, SetProblemCounts, Finish
  RedisStop stop_;  // ends the client's waits and the backoff: Finish and the destructor
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  bool delivered_ = false;  // the final event is in Redis
  std::uint64_t sent_through_ = 0;
  std::optional<Counts> counts_;  // SetProblemCounts's latest
  std::thread thread_;
};

}  // namespace ssetail
