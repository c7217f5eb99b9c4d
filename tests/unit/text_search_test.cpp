#include "search/text_search.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace ssetail;
using search::Matcher;
using search::Range;

namespace {
std::vector<Range> Find(const Matcher& m, std::string_view text) {
  std::vector<Range> ranges;
  m.Find(text, ranges);
  return ranges;
}
}  // namespace

TEST_CASE("search: literal by default, case-insensitive unless asked") {
  const Matcher m("a.b", false, false);
  REQUIRE(m.error().empty());
  CHECK(Find(m, "xA.By a.b aXb") == std::vector<Range>{{1, 4}, {6, 9}});
  const Matcher cased("A.B", false, true);
  CHECK(Find(cased, "xA.By a.b") == std::vector<Range>{{1, 4}});
  const Matcher unicode("É", false, false);
  CHECK(Find(unicode, "caf\xc3\xa9") == std::vector<Range>{{3, 4}});
}

TEST_CASE("search: regex, ranges in UTF-16 units, empty matches step on") {
  const Matcher m("e[a-z]+r", true, false);
  REQUIRE(m.error().empty());
  // U+1F600 takes two UTF-16 units, é one.
  CHECK(Find(m, "\xf0\x9f\x98\x80 \xc3\xa9 Error") == std::vector<Range>{{5, 10}});
  const Matcher empty("x*", true, true);
  CHECK(Find(empty, "a\xf0\x9f\x98\x80x") == std::vector<Range>{{0, 0}, {1, 1}, {3, 4}, {4, 4}});
  const Matcher many(".", true, true);
  CHECK(Find(many, std::string(500, 'a')).size() == Matcher::kMaxRangesPerLine);
}

TEST_CASE("search: a bad pattern says why on one line; an empty one is refused") {
  const Matcher bad("(a", true, false);
  CHECK(bad.error() == "missing ): (a");
  CHECK(Find(bad, "(a").empty());
  CHECK(Matcher("(a", false, false).error().empty());  // literally "(a"
  CHECK(Matcher("", false, false).error() == "empty pattern");
  CHECK(Matcher("a\nb(", true, false).error().find('\n') == std::string::npos);
}

TEST_CASE("search: a pattern that backtracks exponentially elsewhere runs in linear time") {
  const Matcher m("(a*)*b", true, true);
  REQUIRE(m.error().empty());
  CHECK(Find(m, std::string(100000, 'a')).empty());
}

TEST_CASE("search: one NDJSON line per match") {
  std::string out;
  search::AppendMatchLine(out, "R", 7, EventType::Stderr, "a \"q\"", {{2, 5}, {6, 6}});
  CHECK(out ==
        "{\"id\":\"R.7\",\"seq\":7,\"stream\":\"stderr\",\"text\":\"a \\\"q\\\"\","
        "\"ranges\":[[2,5],[6,6]]}\n");
}
