#include "record/compact_line.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

using namespace ssetail;
namespace compact = ssetail::record::compact;

namespace {

// One event's line as WriteEvent writes it, newline included.
std::string EventLine(EventType type, SegmentEnd end, std::uint32_t t_ms, std::string_view data) {
  std::string buffer(compact::LineBound(data.size()), '\xAA');
  char* const last = compact::WriteEvent(buffer.data(), type, end, t_ms, data);
  const auto size = static_cast<std::size_t>(last - buffer.data());
  REQUIRE(size <= buffer.size());
  buffer.resize(size);
  return buffer;
}

std::string_view WithoutNewline(const std::string& line) {
  REQUIRE(!line.empty());
  REQUIRE(line.back() == '\n');
  return std::string_view(line).substr(0, line.size() - 1);
}

}  // namespace

TEST_CASE("compact line: short, and read back as written") {
  // The point of the format: a `seq` line costs a few bytes more than its text.
  CHECK(EventLine(EventType::Stdout, SegmentEnd::Newline, 812, "1234567") == "on812 1234567\n");

  struct Case {
    EventType type;
    SegmentEnd end;
    std::uint32_t t_ms;
    std::string data;
  };
  const Case cases[] = {
      {EventType::Start, SegmentEnd::Newline, 0, R"({"command":["make"],"pid":7})"},
      {EventType::Stdout, SegmentEnd::Newline, 1, "plain"},
      {EventType::Stderr, SegmentEnd::Partial, 4294967295u, "part of a line"},
      {EventType::Stdout, SegmentEnd::CarriageReturn, 30, " 42% [#####   ]"},
      {EventType::Stdout, SegmentEnd::Newline, 5, ""},
      {EventType::Stdout, SegmentEnd::Newline, 6, "caf\xC3\xA9 \"q\" \\ tab\t \x01"},
      {EventType::Exit, SegmentEnd::Newline, 99, R"({"code":2,"signal":null})"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.data);
    const std::string line = EventLine(c.type, c.end, c.t_ms, c.data);
    CHECK(line.find('\n') == line.size() - 1);
    const auto parsed = compact::Parse(WithoutNewline(line));
    REQUIRE(parsed.has_value());
    CHECK_FALSE(parsed->jump);
    CHECK(parsed->type == c.type);
    CHECK(parsed->t_ms == c.t_ms);
    CHECK(parsed->data == c.data);
    if (IsOutput(c.type)) CHECK(parsed->end == c.end);
  }
}

TEST_CASE("compact line: a jump names the next event") {
  std::string buffer(32, '\0');
  const char* last = compact::WriteJump(buffer.data(), 1234567890123ULL);
  buffer.resize(static_cast<std::size_t>(last - buffer.data()));
  CHECK(buffer == "#1234567890123\n");
  const auto parsed = compact::Parse(WithoutNewline(buffer));
  REQUIRE(parsed.has_value());
  CHECK(parsed->jump);
  CHECK(parsed->seq == 1234567890123ULL);
}

TEST_CASE("compact line: what is not one of ours is refused") {
  for (const std::string_view line :
       {std::string_view(""), std::string_view("o"), std::string_view("on"),
        std::string_view("on12"),      // no space after the time
        std::string_view("onx text"),  // no time
        std::string_view("zn1 text"),  // unknown type
        std::string_view("oq1 text"),  // unknown end
        std::string_view("gn1 {}"),    // gaps are never recorded
        std::string_view("#"), std::string_view("#0"), std::string_view("#12a"),
        std::string_view("on99999999999 x"),      // a time past 32 bits
        std::string_view("\0\0\0\0\0", 5),        // a hole punched by --record-max
        std::string_view("on5 text\0\0", 10)}) {  // a line being zeroed as it was read
    CAPTURE(line);
    CHECK_FALSE(compact::Parse(line).has_value());
  }
}
