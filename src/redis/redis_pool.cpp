#include "redis/redis_pool.hpp"

namespace ssetail {

Result<std::vector<RedisReply>> RedisPool::Ask(const std::vector<Command>& commands,
                                               RedisClient::Clock::time_point deadline) {
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<RedisClient> client;
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        client = std::move(idle_.back());
        idle_.pop_back();
      }
    }
    const bool fresh = !client;
    if (fresh) {
      Result<std::unique_ptr<RedisClient>> connected = RedisClient::Connect(url_, deadline, &stop_);
      if (!connected) return Error{connected.error()};
      client = std::move(*connected);
    }
    for (const Command& command : commands) {
      client->Append(std::vector<std::string_view>(command.begin(), command.end()));
    }
    Result<std::vector<RedisReply>> replies = client->Replies(deadline);
    if (replies && replies->size() == commands.size()) {
      std::lock_guard lock(mutex_);
      if (idle_.size() < kIdle) idle_.push_back(std::move(client));
      return replies;
    }
    const std::string why = replies ? "out of memory" : replies.error();
    if (fresh || attempt > 0 || RedisClient::Clock::now() >= deadline) return Error{why};
  }
}

}  // namespace ssetail
