#include "redis/redis_client.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace ssetail {

namespace {

RedisReply Copy(const redisReply& reply) {
  RedisReply out;
  switch (reply.type) {
    case REDIS_REPLY_INTEGER:
      out.kind = RedisReply::Kind::Integer;
      out.integer = reply.integer;
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
      out.kind = reply.type == REDIS_REPLY_STRING   ? RedisReply::Kind::String
                 : reply.type == REDIS_REPLY_STATUS ? RedisReply::Kind::Status
                                                    : RedisReply::Kind::Error;
      out.text.assign(reply.str, reply.len);
      break;
    case REDIS_REPLY_ARRAY:
      out.kind = RedisReply::Kind::Array;
      out.elements.reserve(reply.elements);
      for (std::size_t i = 0; i < reply.elements; ++i)
        out.elements.push_back(Copy(*reply.element[i]));
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

RedisStop::RedisStop() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
}

void RedisStop::Request() {
  requested_ = true;
  const std::uint64_t one = 1;
  // It can only fail when the counter is full, and then it is readable anyway.
  (void)!::write(fd_.get(), &one, sizeof one);
}

std::unique_ptr<RedisClient> RedisClient::Connect(const RedisUrl& url, Clock::time_point deadline,
                                                  const RedisStop* stop, std::string& error) {
  redisContext* context = redisConnectNonBlock(url.host.c_str(), url.port);
  if (context == nullptr) {
    error = "out of memory";
    return nullptr;
  }
  std::unique_ptr<RedisClient> client(new RedisClient(context, stop));
  if (context->err != 0) {
    error = client->Error();
    return nullptr;
  }
  // connect(2) is under way: the socket is writable once it is done, either way.
  if (!client->WaitFor(POLLOUT, deadline, error)) return nullptr;
  int failure = 0;
  socklen_t size = sizeof failure;
  if (::getsockopt(context->fd, SOL_SOCKET, SO_ERROR, &failure, &size) != 0) failure = errno;
  if (failure != 0) {
    error = std::strerror(failure);
    return nullptr;
  }
  redisEnableKeepAlive(context);
  if (url.password) {
    RedisReply reply;
    if (!client->Command({"AUTH", *url.password}, reply, deadline, error)) return nullptr;
    if (reply.error()) {
      error = "AUTH: " + reply.text;
      return nullptr;
    }
  }
  return client;
}

RedisClient::~RedisClient() {
  redisFree(context_);
}

std::string RedisClient::Error() const {
  const std::string what = context_->errstr;
  return what.empty() ? "connection failed" : what;
}

bool RedisClient::WaitFor(short events, Clock::time_point deadline, std::string& error) {
  pollfd fds[2] = {{context_->fd, events, 0}, {stop_ != nullptr ? stop_->fd() : -1, POLLIN, 0}};
  for (;;) {
    if (stop_ != nullptr && stop_->requested()) {
      error = "stopped";
      return false;
    }
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      error = "no reply in time";
      return false;
    }
    const int ready = ::poll(fds, stop_ != nullptr ? 2 : 1, static_cast<int>(left));
    if (ready < 0 && errno != EINTR) {
      error = std::strerror(errno);
      return false;
    }
    if (ready > 0 && fds[0].revents != 0) return true;  // errors show in the read or write
  }
}

void RedisClient::Append(const std::vector<std::string_view>& args) {
  argv_.clear();
  argv_sizes_.clear();
  for (std::string_view arg : args) {
    argv_.push_back(arg.data());
    argv_sizes_.push_back(arg.size());
  }
  // Only formats into hiredis's output buffer; it fails only when out of memory, and then
  // the reply count below comes out short and Replies reports the connection broken.
  if (redisAppendCommandArgv(context_, static_cast<int>(argv_.size()), argv_.data(),
                             argv_sizes_.data()) == REDIS_OK) {
    ++queued_;
  }
}

bool RedisClient::Replies(std::vector<RedisReply>& replies, Clock::time_point deadline,
                          std::string& error) {
  replies.clear();
  replies.reserve(queued_);
  const auto fail = [&](std::string why) {
    error = std::move(why);
    queued_ = 0;
    return false;
  };
  for (int done = 0; !done;) {
    if (redisBufferWrite(context_, &done) != REDIS_OK) return fail(Error());
    if (!done && !WaitFor(POLLOUT, deadline, error)) return fail(error);
  }
  while (queued_ > 0) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(context_, &raw) != REDIS_OK) return fail(Error());
    if (raw == nullptr) {
      if (!WaitFor(POLLIN, deadline, error)) return fail(error);
      if (redisBufferRead(context_) != REDIS_OK) return fail(Error());
      continue;
    }
    auto* reply = static_cast<redisReply*>(raw);
    replies.push_back(Copy(*reply));
    freeReplyObject(reply);
    --queued_;
  }
  return true;
}

bool RedisClient::Command(const std::vector<std::string_view>& args, RedisReply& reply,
                          Clock::time_point deadline, std::string& error) {
  Append(args);
  std::vector<RedisReply> replies;
  if (!Replies(replies, deadline, error)) return false;
  if (replies.empty()) {
    error = "out of memory";
    return false;
  }
  reply = std::move(replies.front());
  return true;
}

}  // namespace ssetail
