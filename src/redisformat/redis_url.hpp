// `redis://[:PASSWORD@]HOST[:PORT][/PREFIX]` (SPEC §10): where runs are published and read
// back, and the prefix of every key. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ssetail {

struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::optional<std::string> password;
  std::string prefix = "ssetail";

  // redis://HOST:PORT/PREFIX, without the password: what messages show.
  std::string Display() const;

  // The keys of SPEC §10.
  std::string RunsKey() const { return prefix + ":runs"; }
  std::string StreamKey(std::string_view run) const { return prefix + ":run:" + std::string(run); }
  std::string MetaKey(std::string_view run) const { return StreamKey(run) + ":meta"; }
};

// The URL, or nothing with `why` set to what is wrong with it.
std::optional<RedisUrl> ParseRedisUrl(std::string_view text, std::string& why);

// `text` as given, but for what stands before an '@' of its authority (the password): "***".
// For messages about a URL that did not parse: they must never show a secret.
std::string RedactedUrl(std::string_view text);

}  // namespace ssetail
