#include "serve/access_control.hpp"

#include <doctest/doctest.h>

using namespace ssetail;

namespace {
AccessPolicy WithToken() {
  AccessPolicy p;
  p.token = "s3cret";
  p.cookie_name = "ssetail-token-1";
  return p;
}
RequestFacts Get(std::string_view path = "/events") {
  RequestFacts r;
  r.method = "GET";
  r.path = path;
  r.host = "127.0.0.1:8642";
  return r;
}
}  // namespace

TEST_CASE("access: without a token everything local is allowed") {
  CHECK(Decide(AccessPolicy{}, Get()).kind == AccessDecision::Allow);
}

TEST_CASE("access: the Host check while bound to loopback") {
  for (std::string_view host :
       {"localhost", "LOCALHOST:80", "127.0.0.1", "127.0.0.1:9", "[::1]", "[::1]:8642"}) {
    CHECK(IsLoopbackHostHeader(host));
  }
  for (std::string_view host : {"", "evil.example", "evil.example:8642", "127.0.0.1.evil.example",
                                "[::2]:1", "[::1]x", "localhost.evil"}) {
    CHECK_FALSE(IsLoopbackHostHeader(host));
  }
  auto r = Get();
  r.host = "rebind.example:8642";
  CHECK(Decide(AccessPolicy{}, r).kind == AccessDecision::Forbidden);
  AccessPolicy open;
  open.loopback_only = false;
  CHECK(Decide(open, r).kind == AccessDecision::Allow);
}

TEST_CASE("access: the token by query, cookie or bearer") {
  const AccessPolicy p = WithToken();
  CHECK(Decide(p, Get()).kind == AccessDecision::Unauthorized);

  auto login = Get("/");
  login.token_param = "s3cret";
  const auto decision = Decide(p, login);
  CHECK(decision.kind == AccessDecision::LogIn);
  CHECK(decision.set_cookie == "ssetail-token-1=733363726574; HttpOnly; SameSite=Strict");
  login.forwarded_proto = "https";
  CHECK(Decide(p, login).set_cookie.ends_with("; Secure"));
  login.token_param = "wrong";
  CHECK(Decide(p, login).kind == AccessDecision::Unauthorized);

  auto cookie = Get();
  cookie.cookie = "a=b; ssetail-token-1=733363726574; c=d";
  CHECK(Decide(p, cookie).kind == AccessDecision::Allow);
  cookie.cookie = "ssetail-token-2=733363726574";
  CHECK(Decide(p, cookie).kind == AccessDecision::Unauthorized);

  auto bearer = Get("/status");
  bearer.authorization = "Bearer s3cret";
  CHECK(Decide(p, bearer).kind == AccessDecision::Allow);
  bearer.authorization = "bearer s3cret";
  CHECK(Decide(p, bearer).kind == AccessDecision::Allow);
  bearer.authorization = "Bearer s3cre";
  CHECK(Decide(p, bearer).kind == AccessDecision::Unauthorized);
  bearer.authorization = "Basic czNjcmV0";
  CHECK(Decide(p, bearer).kind == AccessDecision::Unauthorized);
}

TEST_CASE("access: a token with characters a cookie cannot hold is encoded") {
  AccessPolicy p = WithToken();
  p.token = "a b;c=d";
  auto login = Get("/");
  login.token_param = "a b;c=d";
  const auto decision = Decide(p, login);
  CHECK(decision.set_cookie.starts_with("ssetail-token-1=6120623b633d64;"));
  auto cookie = Get();
  cookie.cookie = "ssetail-token-1=6120623b633d64";
  CHECK(Decide(p, cookie).kind == AccessDecision::Allow);
}

TEST_CASE("access: CORS only for the listed origins") {
  AccessPolicy p;
  p.cors_origins = {"https://ci.example"};
  auto r = Get();
  r.origin = "https://ci.example";
  auto d = Decide(p, r);
  CHECK(d.allow_origin == "https://ci.example");
  CHECK_FALSE(d.allow_credentials);
  r.origin = "https://other.example";
  CHECK(Decide(p, r).allow_origin.empty());
  CHECK(Decide(AccessPolicy{}, r).allow_origin.empty());

  AccessPolicy with_token = WithToken();
  with_token.cors_origins = p.cors_origins;
  r.origin = "https://ci.example";
  r.method = "OPTIONS";
  d = Decide(with_token, r);
  CHECK(d.kind == AccessDecision::Preflight);
  CHECK(d.allow_credentials);
  r.method = "GET";
  CHECK(Decide(with_token, r).kind == AccessDecision::Unauthorized);
}

TEST_CASE("access: helpers") {
  CHECK(ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abcd"));
  CHECK_FALSE(ConstantTimeEquals("", "a"));
  CHECK(IsLoopbackAddress("127.0.0.1"));
  CHECK(IsLoopbackAddress("127.1.2.3"));
  CHECK(IsLoopbackAddress("::1"));
  CHECK_FALSE(IsLoopbackAddress("0.0.0.0"));
  CHECK_FALSE(IsLoopbackAddress("::"));
  CHECK_FALSE(IsLoopbackAddress("10.0.0.1"));
  CHECK(CookieValue("x=1; y=2", "y") == "2");
  CHECK_FALSE(CookieValue("xy=1", "y"));
  CHECK(UrlEncode("a+b/c d") == "a%2Bb%2Fc%20d");
  CHECK(HexEncode("a;") == "613b");
}
