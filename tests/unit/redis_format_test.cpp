// What Redis holds, read back (issue 19): entry ids, entries and meta hashes as hostile input.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "events/event.hpp"
#include "redis/redis_url.hpp"
#include "redis/run_entries.hpp"
#include "redis/run_meta.hpp"

using namespace ssetail;

TEST_CASE("redis entries: ids are 0-SEQ with SEQ from 1 to 2^53, in plain digits") {
  CHECK(SeqOfEntryId("0-1") == 1u);
  CHECK(SeqOfEntryId("0-9007199254740992") == kMaxSeq);
  for (const char* id :
       {"0-0", "0-", "1-1", "0-9007199254740993", "0-18446744073709551615",
        "0-99999999999999999999999", "0-+1", "0--1", "0-1 ", "0-1x", "", "0", "1700000000000-0"}) {
    CAPTURE(id);
    CHECK_FALSE(SeqOfEntryId(id));
  }
}

TEST_CASE("redis entries: one event and one data field, the data one JSON value") {
  std::string buffer, why;
  const auto ok =
      DecodeEntry("run", 2, {"event", "stdout", "data", R"({"text":"hi","t":3})"}, buffer, why);
  REQUIRE_MESSAGE(ok, why);
  CHECK(ok->line.type == EventType::Stdout);
  CHECK(ok->line.text == "hi");
  CHECK(ok->line.t_ms == 3);
  CHECK_FALSE(ok->cut);
  // Fields of others are ignored, as unknown keys of a record line are.
  CHECK(
      DecodeEntry("run", 2, {"x", "y", "event", "stdout", "data", R"({"text":""})"}, buffer, why));
  // 19.8: data that goes on after its object cannot make a stdout entry an exit.
  CHECK_FALSE(DecodeEntry("run", 2, {"event", "stdout", "data", R"({"text":"x"},"event":"exit")"},
                          buffer, why));
  CHECK_FALSE(
      DecodeEntry("run", 2, {"event", "stdout", "event", "exit", "data", "{}"}, buffer, why));
  CHECK(why == "a field twice");
  CHECK_FALSE(DecodeEntry("run", 2, {"event", "stdout"}, buffer, why));
  CHECK_FALSE(DecodeEntry("run", 2, {"event", "stdout", "data"}, buffer, why));
  CHECK_FALSE(DecodeEntry("run", 2, {"event", "gap", "data", R"({"missed":1})"}, buffer, why));
  CHECK_FALSE(
      DecodeEntry("run", 2, {"event", "stdout", "data", R"({"text":"a\nb"})"}, buffer, why));
}

TEST_CASE("redis entries: a text longer than capture makes is cut at 64 KiB (issue 19.11)") {
  std::string buffer, why;
  const std::string text(1 << 20, 'y');
  const std::string data = R"({"text":")" + text + R"(","t":1})";
  const auto cut = DecodeEntry("run", 2, {"event", "stderr", "data", data}, buffer, why);
  REQUIRE_MESSAGE(cut, why);
  CHECK(cut->cut);
  CHECK(cut->line.text.size() == kMaxEntryTextCut);
  CHECK(cut->line.end == SegmentEnd::Partial);
  // At a UTF-8 boundary.
  std::string euros;
  while (euros.size() < (200 << 10)) euros += "\xE2\x82\xAC";
  const std::string euro_data = R"({"text":")" + euros + R"("})";
  const auto cut2 = DecodeEntry("run", 2, {"event", "stdout", "data", euro_data}, buffer, why);
  REQUIRE(cut2);
  CHECK(cut2->line.text.size() % 3 == 0);
  CHECK(cut2->line.text.size() <= kMaxEntryTextCut);
}

TEST_CASE("redis meta: JSON fields parsed and encoded anew, never spliced (issue 19.6)") {
  const RunMeta good = DecodeRunMeta({"title", "t \"q\"", "command", R"([ "sh" , "-c", "a\"b" ])",
                                      "started", "2026-01-01T00:00:00.000Z", "state", "exited",
                                      "exit", R"({"code":3,"signal":null,"duration_ms":12})"});
  CHECK(good.title == "t \"q\"");
  CHECK(good.command == R"(["sh","-c","a\"b"])");
  CHECK(good.state == "exited");
  CHECK(good.exit == R"({"code":3,"signal":null,"duration_ms":12})");
  CHECK(DecodeRunMeta({"command", "null"}).command == "null");
  CHECK(DecodeRunMeta({"command", "[]"}).command == "[]");
  CHECK(DecodeRunMeta({"exit", R"({"code":null,"signal":"SIGTERM","duration_ms":0})"}).exit ==
        R"({"code":null,"signal":"SIGTERM","duration_ms":0})");
  for (const char* command :
       {R"(1,"evil":true,"x":[)", "[", R"(["a",])", R"(["a"] x)", "[1]", R"({"a":1})", "", "nul"}) {
    CAPTURE(command);
    CHECK(DecodeRunMeta({"command", command}).command == "null");
  }
  for (const char* exit :
       {R"({"code":1},"x":[)", R"({"code":1})", R"({"code":"1","signal":null,"duration_ms":1})",
        R"({"code":1,"signal":null,"duration_ms":-1})",
        R"({"code":1,"signal":null,"duration_ms":1,"more":2})", "null", "[]"}) {
    CAPTURE(exit);
    CHECK(DecodeRunMeta({"exit", exit}).exit == "null");
  }
  CHECK(DecodeRunMeta({"state", "<b>"}).state.empty());
  // Invalid UTF-8 in a text field is repaired, so it can be encoded as JSON.
  CHECK(DecodeRunMeta({"title", "caf\xE9"}).title == "caf\xEF\xBF\xBD");
  CHECK(StartDataFromMeta(DecodeRunMeta({"title", "x", "command", "1,2"})) ==
        R"({"command":null,"pid":null,"started":"","title":"x"})");
}

TEST_CASE("redis URL: a URL that did not parse is shown without its password (issue 19.11)") {
  CHECK(RedactedUrl("redis://:hunter2@127.0.0.1:99999/") == "redis://***@127.0.0.1:99999/");
  CHECK(RedactedUrl("redis://user:hunter2@h/p@x") == "redis://***@h/p@x");
  CHECK(RedactedUrl("redis://h:1/p") == "redis://h:1/p");
  CHECK(RedactedUrl("http://a:b@c") == "http://***@c");
}
