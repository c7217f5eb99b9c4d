// Connections for the relay's request threads (its lists, a run's opening): each question
// is asked on a connection of its own, taken from a small pool of idle ones (or made), so
// no request waits behind another's round trip, only for its own deadline (issue 19.10).
// The mutex is held only to take a connection or give it back. From any thread.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "redis/redis_client.hpp"
#include "redisformat/redis_url.hpp"

namespace ssetail {

class RedisPool {
 public:
  using Command = std::vector<std::string>;
  static constexpr std::size_t kIdle = 4;  // connections kept for the next requests

  explicit RedisPool(RedisUrl url) : url_(std::move(url)) {}
  // Ends every wait of the pool's connections at once (other threads may be asking).
  ~RedisPool() { stop_.Request(); }

  // Sends `commands` as one pipeline and returns their replies, all by `deadline`; an error
  // when Redis could not be asked or did not answer in time. An idle connection Redis
  // closed meanwhile is tried once more on a new one.
  Result<std::vector<RedisReply>> Ask(const std::vector<Command>& commands,
                                      RedisClient::Clock::time_point deadline);

 private:
  const RedisUrl url_;
  RedisStop stop_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<RedisClient>> idle_;
};

}  // namespace ssetail
