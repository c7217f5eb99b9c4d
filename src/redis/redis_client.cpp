#include "redis/redis_client.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <cerrno>
#include <charconv>
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

bool RedisStop::Sleep(std::chrono::milliseconds duration) const {
  const auto deadline = std::chrono::steady_clock::now() + duration;
  pollfd p{fd_.get(), POLLIN, 0};
  while (!requested()) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
            .count();
    if (left <= 0) return true;
    ::poll(&p, 1, static_cast<int>(left));  // EINTR: the clock is looked at again
  }
  return false;
}

Result<std::unique_ptr<RedisClient>> RedisClient::Connect(const RedisUrl& url,
                                                          Clock::time_point deadline,
                                                          const RedisStop* stop) {
  redisContext* context = redisConnectNonBlock(url.host.c_str(), url.port);
  if (context == nullptr) return Error{"out of memory"};
  std::unique_ptr<RedisClient> client(new RedisClient(context, stop));
  if (context->err != 0) return Error{client->ContextError()};
  // connect(2) is under way: the socket is writable once it is done, either way.
  if (auto waited = client->WaitFor(POLLOUT, deadline); !waited) return Error{waited.error()};
  int failure = 0;
  socklen_t size = sizeof failure;
  if (::getsockopt(context->fd, SOL_SOCKET, SO_ERROR, &failure, &size) != 0) failure = errno;
  if (failure != 0) return Error{std::strerror(failure)};
  redisEnableKeepAlive(context);
  if (url.password) {
    std::vector<std::string_view> auth{"AUTH"};
    if (url.user) auth.push_back(*url.user);  // an ACL user (Redis 6)
    auth.push_back(*url.password);
    const Result<RedisReply> reply = client->Command(auth, deadline);
    if (!reply) return Error{reply.error()};
    if (reply->error()) return Error{"AUTH: " + reply->text};
  }
  return client;
}

RedisClient::~RedisClient() {
  redisFree(context_);
}

std::string RedisClient::ContextError() const {
  const std::string what = context_->errstr;
  return what.empty() ? "connection failed" : what;
}

Result<void> RedisClient::WaitFor(short events, Clock::time_point deadline) {
  pollfd fds[2] = {{context_->fd, events, 0}, {stop_ != nullptr ? stop_->fd() : -1, POLLIN, 0}};
  for (;;) {
    if (stop_ != nullptr && stop_->requested()) return Error{"stopped"};
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return Error{"no reply in time"};
    const int ready = ::poll(fds, stop_ != nullptr ? 2 : 1, static_cast<int>(left));
    if (ready < 0 && errno != EINTR) return Error{std::strerror(errno)};
    if (ready > 0 && fds[0].revents != 0) return {};  // errors show in the read or write
  }
}

void RedisClient::Append(const std::vector<std::string_view>& args) {
  // RESP, written here rather than by hiredis, whose reader parses the replies: hiredis
  // formats each command into a buffer of its own, copies that into its output buffer, and
  // moves what is left of the output buffer to its front after each partial write; with the
  // publisher's 64 KiB batches that was most of its time (issue 24: memmove and the page
  // faults of buffers allocated anew). Here each argument is copied once, into a buffer that
  // is kept from one round trip to the next, and sent from an offset.
  char number[24];
  const auto append_count = [&](char kind, std::size_t count) {
    out_.push_back(kind);
    out_.append(number, std::to_chars(number, number + sizeof number, count).ptr);
    out_.append("\r\n");
  };
  append_count('*', args.size());
  for (std::string_view arg : args) {
    append_count('$', arg.size());
    out_.append(arg);
    out_.append("\r\n");
  }
  ++queued_;
}

Result<void> RedisClient::Send(Clock::time_point deadline) {
  while (out_sent_ < out_.size()) {
    const ssize_t sent = ::send(context_->fd, out_.data() + out_sent_, out_.size() - out_sent_,
                                MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent >= 0) {
      out_sent_ += static_cast<std::size_t>(sent);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      if (auto waited = WaitFor(POLLOUT, deadline); !waited) return waited;
    } else if (errno != EINTR) {
      return Error{std::strerror(errno)};
    }
  }
  out_.clear();
  out_sent_ = 0;
  if (out_.capacity() > kKeptOutputBytes) std::string().swap(out_);
  return {};
}

Result<std::vector<RedisReply>> RedisClient::Replies(Clock::time_point deadline) {
  std::vector<RedisReply> replies;
  replies.reserve(queued_);
  const std::size_t expected = queued_;
  queued_ = 0;  // whatever happens: a failure leaves the client unusable anyway
  if (Result<void> sent = Send(deadline); !sent) return Error{sent.error()};
  while (replies.size() < expected) {
    void* raw = nullptr;
    if (redisGetReplyFromReader(context_, &raw) != REDIS_OK) return Error{ContextError()};
    if (raw == nullptr) {
      if (auto waited = WaitFor(POLLIN, deadline); !waited) return Error{waited.error()};
      if (redisBufferRead(context_) != REDIS_OK) return Error{ContextError()};
      continue;
    }
    auto* reply = static_cast<redisReply*>(raw);
    replies.push_back(Copy(*reply));
    freeReplyObject(reply);
  }
  return replies;
}

Result<RedisReply> RedisClient::Command(const std::vector<std::string_view>& args,
                                        Clock::time_point deadline) {
  Append(args);
  Result<std::vector<RedisReply>> replies = Replies(deadline);
  if (!replies) return Error{replies.error()};
  if (replies->empty()) return Error{"out of memory"};
  return std::move(replies->front());
}

}  // namespace ssetail
