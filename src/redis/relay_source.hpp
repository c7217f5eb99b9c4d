// A run read from Redis (SPEC §10, §15) as the source of a relay's History: the counterpart
// of a command's pipes or of --view's file. A thread of its own holds one blocking XREAD on
// the run's stream (whatever the number of viewers: they read the History), decodes each
// entry's batch and appends its events with their ids, so the relay's streams carry the
// run's own ids and bytes.
//
// Entries Redis no longer has (trimmed) become a jump in the ids, served as `gap`; when the
// `start` entry itself is gone, a `start` is made from the run's meta hash. Entries are
// hostile input: one that is no batch of ssetail's is skipped (its events are a gap), with
// one warning line per run, and never read again. When Redis cannot be reached the source
// says so once, retries with backoff and resumes after the last entry it read.
//
// With each read it asks for the run's lease and whether Redis has its meta: the read blocks
// until new entries come or just after the lease would expire (redisformat/lease.hpp), so a
// quiet run costs one round trip per lease period; a run whose lease is gone with nothing
// more to read is lost, and its History ends without `exit` (unless Redis came back empty:
// then its publisher has a lease's time to refill it). The thread ends after `exit` or that.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.hpp"
#include "history/history.hpp"
#include "redis/redis_client.hpp"
#include "redisformat/event_batch.hpp"
#include "redisformat/lease.hpp"
#include "redisformat/redis_url.hpp"
#include "run/run_source.hpp"

namespace ssetail {

class RedisRunSource : public RunSource {
 public:
  // `history` (named after the run) must outlive the source. `caught_up` is given, once,
  // the last SEQ appended when the source has read everything the stream held when it
  // began (or has ended, or Redis failed it): what a run's first request waits for.
  RedisRunSource(RedisUrl url, History& history, std::promise<std::uint64_t> caught_up);
  ~RedisRunSource() override;  // stops the thread (a read under way ends at once)
  RedisRunSource(const RedisRunSource&) = delete;
  RedisRunSource& operator=(const RedisRunSource&) = delete;

  void Start(std::function<void()> ended) override;
  void RequestStop() override;

 private:
  struct Read;  // one entry, decoded or not

  void Run(const std::function<void()>& ended);
  Result<void> Reanchor();
  Result<void> ReadOnce();
  Result<void> AppendEntries(const RedisReply& entries);
  void AppendDecoded(const std::vector<Read>& reads, std::optional<std::string> start);
  Result<std::string> StartFromMeta();
  void WarnBadEntry(std::string_view id, const std::string& why);  // once per run
  void CaughtUp();

  const RedisUrl url_;
  History& history_;
  const std::string stream_key_;
  const std::string meta_key_;
  const std::string alive_key_;

  // The thread's own.
  std::unique_ptr<RedisClient> client_;
  std::uint64_t last_seq_ = 0;      // of the last event appended
  std::string after_ = "0-0";       // the last entry read, whatever its id: XREAD goes on after
  std::optional<ReadState> state_;  // as the last read found it; nothing: not asked yet
  RedisClient::Clock::time_point state_asked_;                   // when that read began
  std::optional<RedisClient::Clock::time_point> unknown_since_;  // Redis lacks the meta since
  bool ended_ = false;  // `exit` appended, or the run found lost
  bool warned_bad_entry_ = false;
  std::optional<std::promise<std::uint64_t>> caught_up_;  // until given

  RedisStop stop_;  // ends the client's waits and the backoff: RequestStop
  std::thread thread_;
};

}  // namespace ssetail
