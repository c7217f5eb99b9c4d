#include "redisformat/redis_url.hpp"

#include <doctest/doctest.h>

#include "redisformat/json_fields.hpp"

namespace ssetail {

TEST_CASE("redis URLs: host, port, password, prefix and their defaults") {
  auto url = ParseRedisUrl("redis://");
  REQUIRE(url);
  CHECK(url->host == "127.0.0.1");
  CHECK(url->port == 6379);
  CHECK(!url->password);
  CHECK(url->prefix == "ssetail");
  CHECK(url->StreamKey("abc") == "ssetail:run:abc");
  CHECK(url->MetaKey("abc") == "ssetail:run:abc:meta");
  CHECK(url->AliveKey("abc") == "ssetail:run:abc:alive");
  CHECK(!url->user);
  CHECK(url->RunsKey() == "ssetail:runs");

  url = ParseRedisUrl("redis://:s3cr@t@cache.example:7000/ci/builds");
  REQUIRE(url);
  CHECK(url->host == "cache.example");
  CHECK(url->port == 7000);
  CHECK(url->password == "s3cr@t");
  CHECK(!url->user);
  CHECK(url->prefix == "ci/builds");
  CHECK(url->Display() == "redis://cache.example:7000/ci/builds");  // no password

  url = ParseRedisUrl("redis://[::1]:6380");
  REQUIRE(url);
  CHECK(url->host == "::1");
  CHECK(url->port == 6380);
  CHECK(url->Display() == "redis://[::1]:6380/ssetail");

  for (const char* bad : {"http://h", "redis://h:0", "redis://h:70000", "redis://h:x",
                          "redis://[::1", "redis://h/a b"}) {
    CAPTURE(bad);
    const auto refused = ParseRedisUrl(bad);
    CHECK(!refused);
    if (!refused) CHECK(!refused.error().empty());
  }
}

TEST_CASE("redis URLs: an ACL user and its password (Redis 6: AUTH USER PASSWORD)") {
  auto url = ParseRedisUrl("redis://ci-publisher:p4ss@redis.ci:6379/ci");
  REQUIRE(url);
  CHECK(url->user == "ci-publisher");
  CHECK(url->password == "p4ss");
  CHECK(url->Display() == "redis://redis.ci:6379/ci");  // neither user nor password
  url = ParseRedisUrl("redis://onlypassword@h");        // as before ACLs: the password alone
  REQUIRE(url);
  CHECK(!url->user);
  CHECK(url->password == "onlypassword");
}

TEST_CASE("the start event's fields, read back for the meta hash") {
  const std::string start =
      R"({"command":["sh","-c","echo \"a,b}\""],"pid":12,"started":"2026-11-23T21:53:44.123Z",)"
      R"("title":"caf\u00e9 \ud83d\ude00 \"x\""})";
  CHECK(json::RawField(start, "command") == R"(["sh","-c","echo \"a,b}\""])");
  CHECK(json::RawField(start, "pid") == "12");
  CHECK(json::DecodeString(*json::RawField(start, "title")) == "café 😀 \"x\"");
  CHECK(!json::RawField(start, "missing"));
  CHECK(json::RawField(R"({"command":null,"title":"t"})", "command") == "null");
  CHECK(json::ParseIsoUtcMs("2026-11-23T21:53:44.123Z") == 1795470824123);
  CHECK(json::ParseIsoUtcMs("1970-01-01T00:00:01Z") == 1000);
  CHECK(!json::ParseIsoUtcMs("yesterday"));
  CHECK(!json::DecodeString("nope"));
}

}  // namespace ssetail
