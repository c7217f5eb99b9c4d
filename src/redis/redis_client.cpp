#include "redis/redis_client.hpp"

#include <cerrno>

namespace ssetail {

namespace {

timeval ToTimeval(std::chrono::milliseconds timeout) {
  return {static_cast<time_t>(timeout.count() / 1000),
          static_cast<suseconds_t>(timeout.count() % 1000 * 1000)};
}

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

std::unique_ptr<RedisClient> RedisClient::Connect(const RedisUrl& url,
                                                  std::chrono::milliseconds timeout,
                                                  std::string& error) {
  redisContext* context = redisConnectWithTimeout(url.host.c_str(), url.port, ToTimeval(timeout));
  if (context == nullptr) {
    error = "out of memory";
    return nullptr;
  }
  std::unique_ptr<RedisClient> client(new RedisClient(context));
  if (context->err != 0) {
    error = client->Error();
    return nullptr;
  }
  if (redisSetTimeout(context, ToTimeval(timeout)) != REDIS_OK) {
    error = client->Error();
    return nullptr;
  }
  redisEnableKeepAlive(context);
  if (url.password) {
    RedisReply reply;
    if (!client->Command({"AUTH", *url.password}, reply, error)) return nullptr;
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
  std::string what = context_->errstr;
  // hiredis reports a read deadline as "Resource temporarily unavailable".
  if (context_->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK)) {
    what = "no reply in time";
  }
  return what.empty() ? "connection failed" : what;
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

bool RedisClient::Replies(std::vector<RedisReply>& replies, std::string& error) {
  replies.clear();
  replies.reserve(queued_);
  while (queued_ > 0) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
      error = Error();
      queued_ = 0;
      return false;
    }
    auto* reply = static_cast<redisReply*>(raw);
    replies.push_back(Copy(*reply));
    freeReplyObject(reply);
    --queued_;
  }
  return true;
}

bool RedisClient::Command(const std::vector<std::string_view>& args, RedisReply& reply,
                          std::string& error) {
  Append(args);
  std::vector<RedisReply> replies;
  if (!Replies(replies, error)) return false;
  if (replies.empty()) {
    error = "out of memory";
    return false;
  }
  reply = std::move(replies.front());
  return true;
}

}  // namespace ssetail
