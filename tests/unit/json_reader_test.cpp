#include "events/json_reader.hpp"

#include <doctest/doctest.h>

#include <string>

using ssetail::json::Reader;

TEST_CASE("json reader: members, strings with and without escapes, numbers, words") {
  Reader r(R"( { "a" : "plain", "b":"x\u00e9\n", "n": -12, "u": 7, "t": true, "z": null } )");
  std::string_view raw;
  std::string decoded, key;
  bool escaped = true, flag = false;
  std::int64_t n = 0;
  std::uint32_t u = 0;
  CHECK(r.Consume('{'));
  CHECK(r.String(key));
  CHECK(key == "a");
  CHECK(r.Consume(':'));
  CHECK(r.String(raw, decoded, escaped));
  CHECK(raw == "plain");
  CHECK_FALSE(escaped);
  CHECK(r.Consume(','));
  CHECK(r.String(key));
  CHECK(r.Consume(':'));
  CHECK(r.String(raw, decoded, escaped));
  CHECK(escaped);
  CHECK(raw == R"(x\u00e9\n)");
  CHECK(decoded == "x\xc3\xa9\n");
  CHECK((r.Consume(',') && r.String(key) && r.Consume(':') && r.Integer(n)));
  CHECK(n == -12);
  CHECK((r.Consume(',') && r.String(key) && r.Consume(':') && r.Unsigned(u)));
  CHECK(u == 7);
  CHECK((r.Consume(',') && r.String(key) && r.Consume(':') && r.Bool(flag)));
  CHECK(flag);
  CHECK((r.Consume(',') && r.String(key) && r.Consume(':') && r.Word("null")));
  CHECK(r.Consume('}'));
  CHECK(r.AtEnd());
}

TEST_CASE("json reader: what it refuses") {
  std::string s;
  CHECK_FALSE(Reader("\"a\tb\"").String(s));  // a raw control character
  CHECK_FALSE(Reader("\"open").String(s));
  CHECK_FALSE(Reader(R"("\x")").String(s));  // not an escape
  std::uint32_t u = 0;
  CHECK_FALSE(Reader("-1").Unsigned(u));
  CHECK_FALSE(Reader("4294967296").Unsigned(u));
  bool b = false;
  CHECK_FALSE(Reader("nul").Bool(b));
}

TEST_CASE("json reader: SkipValue skips any value, and no deeper than 64") {
  Reader r(R"({"a":[1,2.5e3,{"b":"}"}],"c":false} rest)");
  CHECK(r.SkipValue());
  CHECK_FALSE(r.AtEnd());
  CHECK(r.Word("rest"));
  CHECK(r.AtEnd());

  const std::string deep = std::string(65, '[') + std::string(65, ']');
  const std::string deeper = std::string(66, '[') + std::string(66, ']');
  CHECK(Reader(deep).SkipValue());
  CHECK_FALSE(Reader(deeper).SkipValue());
  CHECK_FALSE(Reader("[1,]").SkipValue());
  CHECK_FALSE(Reader("{\"a\" 1}").SkipValue());
}
