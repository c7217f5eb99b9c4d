// Who may read the run (SPEC §5): the token, the Host check and CORS. Pure decisions over
// request facts, so every rule is unit tested; http_server.cpp applies them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssetail {

struct AccessPolicy {
  std::optional<std::string> token;
  bool loopback_only = true;  // bound to a loopback address: check Host (DNS rebinding)
  std::vector<std::string> cors_origins;
  std::string cookie_name = "ssetail-token";
};

// What the request brings, as the HTTP layer saw it.
struct RequestFacts {
  std::string_view method;
  std::string_view path;
  std::string_view host;           // Host header
  std::string_view origin;         // Origin header
  std::string_view authorization;  // Authorization header
  std::string_view cookie;         // Cookie header
  std::string_view forwarded_proto;
  std::optional<std::string_view> token_param;  // ?token=
};

struct AccessDecision {
  enum Kind { Allow, Forbidden, Unauthorized, LogIn, Preflight } kind = Allow;
  std::string set_cookie;  // LogIn: the Set-Cookie value
  // CORS headers to add to whatever the response is (empty: none).
  std::string allow_origin;
  bool allow_credentials = false;
};

AccessDecision Decide(const AccessPolicy& policy, const RequestFacts& request);

// Comparison whose time depends only on the lengths, not on where the strings differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// "localhost", "127.0.0.1" or "[::1]", with or without a port.
bool IsLoopbackHostHeader(std::string_view host);

// 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackAddress(std::string_view address);

// The value of cookie `name` in a Cookie header.
std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name);

// "ab" -> "6162": the token as a cookie value.
std::string HexEncode(std::string_view text);

// Percent-encodes everything but unreserved characters (for the token in the serving URL).
std::string UrlEncode(std::string_view text);

}  // namespace ssetail
