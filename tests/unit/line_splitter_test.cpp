#include "capture/line_splitter.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace ssetail;

namespace {

struct Seg {
  std::string text;
  SegmentEnd end;
  bool operator==(const Seg&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Seg& s) {
  const char* end = s.end == SegmentEnd::Newline   ? "nl"
                    : s.end == SegmentEnd::Partial ? "partial"
                                                   : "cr";
  return os << "{" << s.text << "," << end << "}";
}

struct Collector {
  LineSplitter splitter;
  std::vector<Seg> segments;
  void Feed(std::string_view bytes) {
    splitter.Feed(bytes, [&](std::string_view t, SegmentEnd e) {
      segments.push_back({std::string(t), e});
    });
  }
  void Flush(bool eof) {
    splitter.Flush(eof, [&](std::string_view t, SegmentEnd e) {
      segments.push_back({std::string(t), e});
    });
  }
};

std::vector<Seg> Split(std::string_view bytes) {
  Collector c;
  c.Feed(bytes);
  c.Flush(true);
  return c.segments;
}

constexpr auto NL = SegmentEnd::Newline;
constexpr auto CR = SegmentEnd::CarriageReturn;
constexpr auto PART = SegmentEnd::Partial;

}  // namespace

TEST_CASE("splitter: lines end at LF, CRLF loses its CR") {
  CHECK(Split("a\nbb\n\nccc\n") == std::vector<Seg>{{"a", NL}, {"bb", NL}, {"", NL}, {"ccc", NL}});
  CHECK(Split("dos\r\nline\r\n") == std::vector<Seg>{{"dos", NL}, {"line", NL}});
}

TEST_CASE("splitter: a lone CR ends an overwrite segment") {
  CHECK(Split("10%\r50%\r100%\n") == std::vector<Seg>{{"10%", CR}, {"50%", CR}, {"100%", NL}});
  CHECK(Split("a\r\rb\n") == std::vector<Seg>{{"a", CR}, {"b", NL}});
}

TEST_CASE("splitter: CRs with no text before them end no segment, at EOF too") {
  CHECK(Split("x\n\r") == std::vector<Seg>{{"x", NL}});
  CHECK(Split("\r\r").empty());
  Collector c;
  c.Feed("x\n\r");
  c.Feed(std::string_view());  // an empty read changes nothing
  c.Flush(false);
  CHECK(c.segments == std::vector<Seg>{{"x", NL}});
}

TEST_CASE("splitter: text without a terminator is partial at EOF") {
  CHECK(Split("line\nprompt> ") == std::vector<Seg>{{"line", NL}, {"prompt> ", PART}});
  CHECK(Split("").empty());
}

TEST_CASE("splitter: idle flush emits partial text and the line continues afterwards") {
  Collector c;
  c.Feed("Password: ");
  CHECK(c.segments.empty());
  c.Flush(false);
  c.Feed("ok\n");
  CHECK(c.segments == std::vector<Seg>{{"Password: ", PART}, {"ok", NL}});
}

TEST_CASE("splitter: a CR at the end of a read waits for a possible LF") {
  Collector c;
  c.Feed("win\r");
  CHECK(c.segments.empty());
  c.Feed("\n");
  CHECK(c.segments == std::vector<Seg>{{"win", NL}});
  Collector d;
  d.Feed("50%\r");
  d.Flush(false);  // nothing came after the CR: it was a progress update
  CHECK(d.segments == std::vector<Seg>{{"50%", CR}});
}

TEST_CASE("splitter: idle flush keeps an incomplete character for the next read") {
  Collector c;
  c.Feed("price: \xE2\x82");
  c.Flush(false);
  c.Feed("\xAC\n");
  CHECK(c.segments == std::vector<Seg>{{"price: ", PART}, {"\xE2\x82\xAC", NL}});
}

TEST_CASE("splitter: invalid UTF-8 and NUL are repaired") {
  CHECK(Split(std::string("a\0b\xFF\n", 5)) == std::vector<Seg>{{"a\xEF\xBF\xBD"
                                                                 "b\xEF\xBF\xBD",
                                                                 NL}});
}

TEST_CASE("splitter: lines over 64 KiB are split at a character boundary") {
  std::string line(LineSplitter::kMaxSegmentBytes - 1, 'x');
  line += "\xE2\x82\xAC";  // a 3-byte character straddles the limit
  line += "tail";
  const auto segments = Split(line + "\n");
  REQUIRE(segments.size() == 2);
  CHECK(segments[0].end == PART);
  CHECK(segments[0].text.size() == LineSplitter::kMaxSegmentBytes - 1);
  CHECK(segments[1] == Seg{"\xE2\x82\xAC"
                           "tail",
                           NL});

  // The same when the long line arrives in small pieces without a newline yet.
  Collector c;
  for (std::size_t i = 0; i < line.size(); i += 1000)
    c.Feed(std::string_view(line).substr(i, 1000));
  c.Feed("\n");
  CHECK(c.segments == segments);

  const auto huge = Split(std::string(3 * LineSplitter::kMaxSegmentBytes + 5, 'y'));
  REQUIRE(huge.size() == 4);
  for (const auto& s : huge) CHECK(s.end == PART);
  CHECK(huge[3].text.size() == 5);
}

TEST_CASE("splitter: every way of cutting the input into reads gives the same segments") {
  const std::string input =
      "one\ntwo\r\nthree\r33%\r66%\r\n\xC3\xA9t\xC3\xA9\n\xE2\x82\xAC\xFF\r\nlast";
  const auto expected = Split(input);
  CHECK(expected.back() == Seg{"last", PART});
  for (std::size_t a = 0; a <= input.size(); ++a) {
    for (std::size_t b = a; b <= input.size(); ++b) {
      Collector c;
      c.Feed(std::string_view(input).substr(0, a));
      c.Feed(std::string_view(input).substr(a, b - a));
      c.Feed(std::string_view(input).substr(b));
      c.Flush(true);
      REQUIRE(c.segments == expected);
    }
  }
}

TEST_CASE("splitter: the vectorised fast path agrees with byte-at-a-time feeding") {
  // Lines of every length around the 16-byte block size, clean and not, CRLF and CR.
  std::string input;
  const char* kinds[] = {"", "\r", "\xC3\xA9", std::string("\0", 1).c_str(), "\xFF", "x\ry"};
  for (int length = 0; length < 40; ++length) {
    for (int kind = 0; kind < 6; ++kind) {
      input += std::string(static_cast<std::size_t>(length), static_cast<char>('a' + length % 26));
      if (kind == 3)
        input.push_back('\0');
      else
        input += kinds[kind];
      input += (length % 3 == 0) ? "\r\n" : "\n";
    }
  }
  Collector reference;
  for (char c : input) reference.Feed(std::string_view(&c, 1));
  reference.Flush(true);
  for (std::size_t cut = 0; cut <= input.size(); cut += 7) {
    Collector c;
    c.Feed(std::string_view(input).substr(0, cut));
    c.Feed(std::string_view(input).substr(cut));
    c.Flush(true);
    REQUIRE(c.segments == reference.segments);
  }
  CHECK(Split(input) == reference.segments);
}
