#include "redisformat/redis_url.hpp"

#include <algorithm>
#include <charconv>

namespace ssetail {

std::string RedisUrl::Display() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return "redis://" + (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port) + "/" + prefix;
}

Result<RedisUrl> ParseRedisUrl(std::string_view text) {
  constexpr std::string_view kScheme = "redis://";
  if (text.substr(0, kScheme.size()) != kScheme) {
    return Error{"not a redis:// URL"};
  }
  text.remove_prefix(kScheme.size());
  RedisUrl url;
  const std::size_t slash = text.find('/');
  std::string_view authority = text.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view prefix = text.substr(slash + 1);
    if (!prefix.empty()) url.prefix = std::string(prefix);
    if (url.prefix.find_first_of(" \t\r\n") != std::string::npos) {
      return Error{"the prefix holds white space"};
    }
  }
  // userinfo: "USER:PASSWORD" (an ACL user), ":PASSWORD" or "PASSWORD" (the password alone,
  // as before ACLs).
  const std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    const std::size_t colon = userinfo.find(':');
    if (colon != std::string_view::npos && colon > 0) {
      url.user = std::string(userinfo.substr(0, colon));
    }
    url.password =
        std::string(colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1));
    authority.remove_prefix(at + 1);
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return Error{"an IPv6 address without its ']'"};
    }
    url.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty()) {
      if (authority.front() != ':') {
        return Error{"something after the IPv6 address"};
      }
      port = authority.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    if (colon != 0) url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (url.host.empty()) url.host = "127.0.0.1";
  if (!port.empty()) {
    const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), url.port);
    if (error != std::errc{} || end != port.data() + port.size() || url.port < 1 ||
        url.port > 65535) {
      return Error{"the port is not a number from 1 to 65535"};
    }
  }
  return url;
}

std::string RedactedUrl(std::string_view text) {
  const std::size_t scheme = text.find("://");
  const std::size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const std::size_t end = std::min(text.find('/', start), text.size());
  const std::size_t at = text.substr(0, end).rfind('@');
  if (at == std::string_view::npos || at < start) return std::string(text);
  return std::string(text.substr(0, start)) + "***" + std::string(text.substr(at));
}

}  // namespace ssetail
