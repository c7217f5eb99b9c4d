#include "events/sse_format.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace ssetail;

TEST_CASE("sse: an event is id, event and one data line") {
  char buffer[256];
  sse::IdLine id("r1");
  id.Set(42);
  const auto encoded = sse::EncodeEventWithId(buffer, id.text(), EventType::Stdout, "hello <b>");
  const std::string text(buffer, encoded.size);
  CHECK(text == "id: r1.42\nevent: stdout\ndata: hello <b>\n\n");
  CHECK(text.substr(encoded.data_offset, 9) == "hello <b>");
  CHECK(encoded.size <= sse::EncodedSizeBound("r1", 9));
  id.Set(UINT64_MAX);
  const auto max = sse::EncodeEventWithId(buffer, id.text(), EventType::Stderr, "");
  CHECK(max.size <= sse::EncodedSizeBound("r1", 0));
}

TEST_CASE("sse: the JSON flavour escapes text and flags cr and partial") {
  std::string out;
  sse::AppendJsonOutputEvent(out, "r", 3, EventType::Stderr, "say \"hi\"\\ \x1b[1m\t", 1234,
                             SegmentEnd::Newline);
  CHECK(out ==
        "id: r.3\nevent: stderr\ndata: {\"text\":\"say \\\"hi\\\"\\\\ "
        "\\u001b[1m\\t\",\"t\":1234}\n\n");
  out.clear();
  sse::AppendJsonOutputData(out, "50%", 7, SegmentEnd::CarriageReturn);
  CHECK(out == "{\"text\":\"50%\",\"t\":7,\"cr\":true}");
  out.clear();
  sse::AppendJsonOutputData(out, "> ", 8, SegmentEnd::Partial);
  CHECK(out == "{\"text\":\"> \",\"t\":8,\"partial\":true}");
}

TEST_CASE("sse: gap carries no id") {
  std::string out;
  sse::AppendGap(out, 17);
  CHECK(out == "event: gap\ndata: {\"missed\":17}\n\n");
}

TEST_CASE("sse: Last-Event-ID parsing") {
  auto id = sse::ParseEventId("abc123.77");
  REQUIRE(id);
  CHECK(id->run == "abc123");
  CHECK(id->seq == 77);
  CHECK_FALSE(sse::ParseEventId(""));
  CHECK_FALSE(sse::ParseEventId("77"));
  CHECK_FALSE(sse::ParseEventId(".77"));
  CHECK_FALSE(sse::ParseEventId("abc."));
  CHECK_FALSE(sse::ParseEventId("abc.7x"));
  CHECK_FALSE(sse::ParseEventId("abc.99999999999999999999999"));
}

TEST_CASE("sse: a Last-Event-ID past 2^53 is no id (issue 19.1)") {
  const auto bound = sse::ParseEventId("abc.9007199254740992");
  REQUIRE(bound);
  CHECK(bound->seq == kMaxSeq);
  CHECK_FALSE(sse::ParseEventId("abc.9007199254740993"));
  CHECK_FALSE(sse::ParseEventId("abc.18446744073709551615"));
}
