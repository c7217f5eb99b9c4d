// One connection to Redis (hiredis, non-blocking), with absolute deadlines, pipelining, and
// waits that a stop request ends at once.
//
// Commands are appended, then their replies read in one go, so a batch costs one round
// trip. hiredis connects and parses the replies; the commands are encoded here (see Append). Every
// wait (connecting, sending, each reply) is poll(2) on the socket and on the owner's RedisStop: a
// reply must be complete by its deadline however slowly its bytes come (a deadline is a point in
// time, not a time-out that each byte restarts), and a stop request ends any wait within a poll.
// Name resolution (a host name in the URL) is getaddrinfo's and is not interruptible; a numeric
// address needs none.
//
// Not thread-safe: one owner thread at a time. Every failure of the connection (refused,
// reset, a deadline passed, a stop, a protocol error) leaves the client unusable: the owner
// drops it and connects again. Failures are Results with one line saying why.
#pragma once

#include <hiredis/hiredis.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "redisformat/redis_url.hpp"

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

// What ends the waits of the clients it is given to: an eventfd. Request from any thread;
// it stays requested.
class RedisStop {
 public:
  RedisStop();  // throws std::system_error when no eventfd can be had
  void Request();
  bool requested() const { return requested_.load(); }
  // Waits `duration` (a backoff), or less when a stop is requested meanwhile: false then.
  // From the owner's thread.
  bool Sleep(std::chrono::milliseconds duration) const;
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
  std::atomic<bool> requested_{false};
};

class RedisClient {
 public:
  using Clock = std::chrono::steady_clock;

  // Connects (and authenticates: AUTH [USER] PASSWORD) by `deadline`, or until `stop` (may
  // be null) is requested.
  static Result<std::unique_ptr<RedisClient>> Connect(const RedisUrl& url,
                                                      Clock::time_point deadline,
                                                      const RedisStop* stop);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Queues a command (sent with the next Replies).
  void Append(const std::vector<std::string_view>& args);
  // Sends what is queued and reads one reply per command, in order, all by `deadline`. An
  // error when the connection failed (the client is then unusable); error replies are
  // replies.
  Result<std::vector<RedisReply>> Replies(Clock::time_point deadline);
  // One command and its reply.
  Result<RedisReply> Command(const std::vector<std::string_view>& args, Clock::time_point deadline);

 private:
  RedisClient(redisContext* context, const RedisStop* stop) : context_(context), stop_(stop) {}
  static constexpr std::size_t kKeptOutputBytes = 4 << 20;  // a larger buffer is let go of

  // Waits for `events` on the socket; an error on the deadline or a stop.
  Result<void> WaitFor(short events, Clock::time_point deadline);
  Result<void> Send(Clock::time_point deadline);  // what Append queued
  std::string ContextError() const;               // hiredis's reason for the failure

  redisContext* context_;  // the socket, and the reader of replies
  const RedisStop* const stop_;
  std::size_t queued_ = 0;  // commands sent with the next Replies
  std::string out_;         // their RESP encoding
  std::size_t out_sent_ = 0;
};

}  // namespace ssetail
