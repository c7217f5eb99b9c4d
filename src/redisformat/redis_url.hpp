// `redis://[[USER]:PASSWORD@]HOST[:PORT][/PREFIX]` (SPEC §10, §15): where runs are published
// and read back, and the name of every key ssetail keeps there (README "Redis keys"). Pure:
// the command line checks --publish and --relay with it, without hiredis.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace ssetail {

struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::optional<std::string> user;  // an ACL user (Redis 6): AUTH USER PASSWORD
  std::optional<std::string> password;
  std::string prefix = "ssetail";

  // redis://HOST:PORT/PREFIX, without user or password: what messages show.
  std::string Display() const;

  // The keys: the index of runs (a sorted set, score the start in ms), a run's stream of
  // batches, its meta hash, and its lease (a key that lives while its publisher does).
  std::string RunsKey() const { return prefix + ":runs"; }
  std::string StreamKey(std::string_view run) const { return prefix + ":run:" + std::string(run); }
  std::string MetaKey(std::string_view run) const { return StreamKey(run) + ":meta"; }
  std::string AliveKey(std::string_view run) const { return StreamKey(run) + ":alive"; }
};

// The URL, or what is wrong with it. `USER:PASSWORD@` authenticates as an ACL user;
// `:PASSWORD@` and `PASSWORD@` with the password alone (Redis before ACLs, or `default`).
Result<RedisUrl> ParseRedisUrl(std::string_view text);

// `text` as given, but for what stands before an '@' of its authority (the password): "***".
// For messages about a URL that did not parse: they must never show a secret.
std::string RedactedUrl(std::string_view text);

}  // namespace ssetail
