// A run read from Redis (SPEC §10) as the source of a relay's History: the counterpart of
// a command's pipes or of `--view`'s file. A thread of its own holds one blocking XREAD on
// the run's stream (whatever the number of viewers: they read the History), and appends
// each entry with its id, so the relay's streams carry the run's own ids and bytes.
//
// Entries Redis no longer has (trimmed) become a jump in the ids, served as `gap`; when the
// `start` entry itself is gone, a `start` is made from the run's meta hash. When Redis
// cannot be reached the source says so once, retries with backoff and resumes after the
// last entry it read. The thread ends after the `exit` entry.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "history/history.hpp"
#include "redis/redis_client.hpp"
#include "redis/redis_url.hpp"

namespace ssetail {

class RedisRunSource {
 public:
  // `history` (named after the run) must outlive the source.
  RedisRunSource(RedisUrl url, History& history);
  ~RedisRunSource();  // stops the thread (within the 1 s a blocking read lasts)
  RedisRunSource(const RedisRunSource&) = delete;
  RedisRunSource& operator=(const RedisRunSource&) = delete;

  void Start();
  // Tells the thread to end, without waiting for it (the destructor does).
  void RequestStop();

 private:
  void Run();
  bool ReadOnce(std::string& error);  // false: the connection failed
  void AppendEntries(const RedisReply& entries);
  std::string StartFromMeta(std::string& error);  // a `start` made from the meta hash
  bool Stopping();

  const RedisUrl url_;
  History& history_;
  const std::string stream_key_;

  // The thread's own.
  std::unique_ptr<RedisClient> client_;
  std::uint64_t last_seq_ = 0;  // of the last entry appended
  bool ended_ = false;          // `exit` appended
  std::string text_;            // decoded texts of a batch

  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ssetail
