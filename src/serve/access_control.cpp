#include "serve/access_control.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace ssetail {

namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool HasToken(const AccessPolicy& policy, const RequestFacts& request) {
  const std::string& token = *policy.token;
  constexpr std::string_view kBearer = "Bearer ";
  if (request.authorization.size() > kBearer.size() &&
      EqualsIgnoreCase(request.authorization.substr(0, kBearer.size()), kBearer) &&
      ConstantTimeEquals(Trim(request.authorization.substr(kBearer.size())), token)) {
    return true;
  }
  const auto cookie = CookieValue(request.cookie, policy.cookie_name);
  return cookie && ConstantTimeEquals(*cookie, HexEncode(token));
}

}  // namespace

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char difference = a.size() == b.size() ? 0 : 1;
  const std::size_t n = std::max(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    difference = static_cast<unsigned char>(difference | (x ^ y));
  }
  return difference == 0;
}

bool IsLoopbackHostHeader(std::string_view host) {
  std::string_view name = host;
  if (!name.empty() && name.front() == '[') {
    const std::size_t close = name.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view rest = name.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return false;
    name = name.substr(0, close + 1);
    return name == "[::1]";
  }
  const std::size_t colon = name.find(':');
  if (colon != std::string_view::npos) name = name.substr(0, colon);
  return EqualsIgnoreCase(name, "localhost") || name == "127.0.0.1";
}

bool IsLoopbackAddress(std::string_view address) {
  const std::string text(address);
  in_addr v4{};
  if (::inet_pton(AF_INET, text.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, text.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return EqualsIgnoreCase(address, "localhost");
}

std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const std::size_t end = std::min(header.find(';'), header.size());
    const std::string_view pair = Trim(header.substr(0, end));
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    header.remove_prefix(std::min(end + 1, header.size()));
  }
  return std::nullopt;
}

std::string HexEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char c : text) {
    out.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
    out.push_back(kHex[static_cast<unsigned char>(c) & 15]);
  }
  return out;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

AccessDecision Decide(const AccessPolicy& policy, const RequestFacts& request) {
  AccessDecision decision;
  if (policy.loopback_only && !IsLoopbackHostHeader(request.host)) {
    decision.kind = AccessDecision::Forbidden;  // DNS rebinding: a foreign name for our address
    return decision;
  }
  const bool cors =
      !request.origin.empty() && std::find(policy.cors_origins.begin(), policy.cors_origins.end(),
                                           request.origin) != policy.cors_origins.end();
  if (cors) {
    decision.allow_origin = std::string(request.origin);
    decision.allow_credentials = policy.token.has_value();
    if (request.method == "OPTIONS") {
      decision.kind = AccessDecision::Preflight;  // carries no credentials by definition
      return decision;
    }
  }
  if (!policy.token) return decision;
  if (request.token_param && request.method == "GET" && request.path == "/") {
    if (!ConstantTimeEquals(*request.token_param, *policy.token)) {
      decision.kind = AccessDecision::Unauthorized;
      return decision;
    }
    decision.kind = AccessDecision::LogIn;
    // Hex: a token may hold characters a cookie value cannot, and httplib percent-decodes
    // header values. No Path: it defaults to the directory of this URL, which is right
    // behind a proxy's path prefix too.
    decision.set_cookie =
        policy.cookie_name + "=" + HexEncode(*policy.token) + "; HttpOnly; SameSite=Strict";
    if (EqualsIgnoreCase(request.forwarded_proto, "https")) decision.set_cookie += "; Secure";
    return decision;
  }
  if (!HasToken(policy, request)) decision.kind = AccessDecision::Unauthorized;
  return decision;
}

}  // namespace ssetail
