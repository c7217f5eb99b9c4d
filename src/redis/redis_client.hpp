// One blocking connection to Redis (hiredis), with deadlines, and pipelining: commands are
// appended, then their replies read in one go, so a batch costs one round trip.
//
// Not thread-safe: one owner thread (the publisher's). Every failure of the connection
// (refused, reset, a deadline passed, a protocol error) leaves the client unusable: the
// owner drops it and connects again.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "redis/redis_url.hpp"

namespace ssetail {

// A reply, copied out of hiredis's.
struct RedisReply {
  enum class Kind { Nil, Integer, String, Status, Error, Array };
  Kind kind = Kind::Nil;
  long long integer = 0;
  std::string text;  // String, Status, Error
  std::vector<RedisReply> elements;

  bool error() const { return kind == Kind::Error; }
};

class RedisClient {
 public:
  // Connects (and authenticates) within `timeout`; every command later gets `timeout` too.
  // Nothing, with `error` set, when it cannot.
  static std::unique_ptr<RedisClient> Connect(const RedisUrl& url,
                                              std::chrono::milliseconds timeout,
                                              std::string& error);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Queues a command (sent with the next Replies).
  void Append(const std::vector<std::string_view>& args);
  // Sends what is queued and reads one reply per command, in order. False, with `error`
  // set, when the connection failed (the client is then unusable).
  bool Replies(std::vector<RedisReply>& replies, std::string& error);
  // One command and its reply.
  bool Command(const std::vector<std::string_view>& args, RedisReply& reply, std::string& error);

 private:
  explicit RedisClient(redisContext* context) : context_(context) {}
  std::string Error() const;

  redisContext* context_;
  std::size_t queued_ = 0;
  std::vector<const char*> argv_;
  std::vector<std::size_t> argv_sizes_;
};

}  // namespace ssetail
