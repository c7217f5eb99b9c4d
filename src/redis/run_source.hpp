// A run read from Redis (SPEC §10) as the source of a relay's History: the counterpart of
// a command's pipes or of `--view`'s file. A thread of its own holds one blocking XREAD on
// the run's stream (whatever the number of viewers: they read the History), and appends
// each entry with its id, so the relay's streams carry the run's own ids and bytes.
//
// Entries Redis no longer has (trimmed) become a jump in the ids, served as `gap`; when the
// `start` entry itself is gone, a `start` is made from the run's meta hash. When Redis
// cannot be reached the source says so once, retries with backoff and resumes after the
// last entry it read. The thread ends after the `exit` entry. Entries are hostile input
// (redis/run_entries.hpp): a bad one is a gap, with one warning line per run.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
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
  ~RedisRunSource();  // stops the thread (a read under way ends at once)
  RedisRunSource(const RedisRunSource&) = delete;
  RedisRunSource& operator=(const RedisRunSource&) = delete;

  void Start();
  // Tells the thread to end, without waiting for it (the destructor does).
  void RequestStop();

 private:
  void Run();
  bool ReadOnce(std::string& error);  // false: the connection failed
  void AppendEntries(const RedisReply& entries);
  // A `start` made from the meta hash; nothing when Redis could not be read.
  std::optional<std::string> StartFromMeta(std::string& error);
  void WarnBadEntry(const std::string& entry, const std::string& why);  // once per run
  bool Stopping();

  const RedisUrl url_;
  History& history_;
  const std::string stream_key_;

  // The thread's own.
  std::unique_ptr<RedisClient> client_;
  std::uint64_t last_seq_ = 0;  // of the last entry appended
  std::string after_ = "0-0";   // the last entry read, whatever its id: XREAD goes on after it
  bool ended_ = false;          // `exit` appended
  bool warned_bad_entry_ = false;
  std::string text_;  // decoded texts of a batch

  RedisStop stop_;  // ends the client's waits: RequestStop
  std::mutex mutex_;
  std::condition_variable changed_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ssetail
