// The run index's sections (SPEC §12): GitHub, GitLab and Buildkite markers, nesting,
// durations, failures, gaps, caps.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "index/run_index.hpp"
#include "index_test_support.hpp"

using namespace ssetail;
using index_test::Feeder;

namespace {

// depth|first|last|duration|failed|title for each section; last and duration empty while open.
std::vector<std::string> Shown(const index::RunIndex& idx) {
  std::vector<std::string> out;
  for (const index::Section& s : idx.sections()) {
    out.push_back(std::to_string(s.depth) + "|" + std::to_string(s.first) + "|" +
                  (s.open() ? "" : std::to_string(s.last)) + "|" +
                  (s.open() ? "" : std::to_string(s.duration_ms())) + "|" +
                  (s.failed ? "failed" : "ok") + "|" + s.title);
  }
  return out;
}

using Lines = std::vector<std::string>;

index::IndexOptions With(index::SectionDialects dialects) {
  index::IndexOptions options;
  options.sections = dialects;
  return options;
}

}  // namespace

namespace doctest {
template <>
struct StringMaker<Lines> {
  static String convert(const Lines& lines) {
    std::string out = "\n";
    for (const auto& line : lines) out += "  " + line + "\n";
    return out.c_str();
  }
};
}  // namespace doctest

TEST_CASE("sections: GitHub groups nest; depth, duration, and an error fails each around it") {
  index::RunIndex idx;
  Feeder(idx)
      .At(100)
      .Out("::group::Build")
      .At(150)
      .Out("##[group]  Unit tests  ")
      .At(400)
      .Err("a.c:1:1: error: broken")
      .At(450)
      .Out("::endgroup::")
      .At(700)
      .Out("::endgroup::")
      .At(710)
      .Out("::group::")
      .At(720)
      .Out("a.c:2:1: warning: only a warning");
  CHECK(Shown(idx) ==
        Lines{"0|2|6|600|failed|Build", "1|3|5|300|failed|Unit tests", "0|7|||ok|group"});
  idx.Finish(900);
  CHECK(Shown(idx) ==
        Lines{"0|2|6|600|failed|Build", "1|3|5|300|failed|Unit tests", "0|7|8|190|ok|group"});
}

TEST_CASE("sections: GitLab markers, split by capture at their CR or whole, ended by name") {
  index::RunIndex idx;
  Feeder(idx)
      .At(10)
      .Out("\x1b[0Ksection_start:1700000000:build[collapsed=true]", SegmentEnd::CarriageReturn)
      .Out("\x1b[0KBuilding the app")
      .At(20)
      .Out("section_start:1700000001:inner\x1b[0KInner title")
      .At(30)
      .Out("section_start:1700000002:no_title")
      .At(60)
      .Out("\x1b[0Ksection_end:1700000003:build", SegmentEnd::CarriageReturn)
      .At(61)
      .Out("\x1b[0K")
      .Out("section_end:1700000004:unknown");
  CHECK(Shown(idx) ==
        Lines{"0|2|7|51|ok|Building the app", "1|4|7|41|ok|Inner title", "2|5|7|31|ok|no_title"});
}

TEST_CASE("sections: a GitLab end seen before its CR waits for its line, across a gap too") {
  index::RunIndex idx;
  Feeder(idx)
      .Out("section_start:1:a")
      .Out("section_end:1:a", SegmentEnd::CarriageReturn)
      .Skip(3)
      .Out("after the gap");
  CHECK(Shown(idx) == Lines{"0|2|3|0|ok|a"});
}

TEST_CASE("sections: Buildkite's markers only when that dialect is on") {
  const auto feed = [](index::RunIndex& idx) {
    Feeder(idx)
        .At(0)
        .Out("--- :hammer: Build")
        .At(5)
        .Out("make")
        .At(40)
        .Out("+++ Test")
        .At(50)
        .Out("util.c:5:5: error: expected identifier")
        .At(90)
        .Out("~~~ Cleanup")
        .Out("---")
        .Out("--- ");
    idx.Finish(100);
  };
  index::RunIndex off;
  feed(off);
  CHECK(off.sections().empty());
  index::RunIndex on(With({.buildkite = true}));
  feed(on);
  CHECK(Shown(on) ==
        Lines{"0|2|3|40|ok|:hammer: Build", "0|4|5|50|failed|Test", "0|6|8|10|ok|Cleanup"});
}

// collapsed|end_marker for each section (end_marker empty: none).
std::vector<std::string> Folds(const index::RunIndex& idx) {
  std::vector<std::string> out;
  for (const index::Section& s : idx.sections()) {
    out.push_back(std::string(s.collapsed ? "collapsed" : "expanded") + "|" +
                  (s.end_marker == 0 ? "" : std::to_string(s.end_marker)));
  }
  return out;
}

TEST_CASE("sections: GitHub groups fold by default; an end marker's line is named") {
  index::RunIndex idx;
  Feeder(idx)
      .Out("::group::Outer")
      .Out("::group::Inner")
      .Out("::endgroup::")
      .Out("::group::Ended by its own marker")
      .Out("::endgroup::")
      .Out("::group::Last");
  idx.Finish(10);
  CHECK(Folds(idx) == Lines{"collapsed|", "collapsed|4", "collapsed|6", "collapsed|"});
}

TEST_CASE("sections: GitLab folds only with collapsed=true among its options") {
  index::RunIndex idx;
  Feeder(idx)
      .Out("section_start:1:a[collapsed=true]\x1b[0KA")
      .Out("section_end:1:a")
      .Out("section_start:1:b\x1b[0KB")
      .Out("section_start:1:c[collapsed=false]\x1b[0KC")
      .Out("section_start:1:d[foo=bar, collapsed=true]\x1b[0KD")
      .Out("section_start:1:e[collapsed=trueish]\x1b[0KE")
      .Out("section_end:1:b");
  idx.Finish(10);
  CHECK(Folds(idx) == Lines{"collapsed|3", "expanded|8", "expanded|", "collapsed|", "expanded|"});
}

TEST_CASE(
    "sections: Buildkite's --- and ~~~ fold, +++ does not, ^^^ +++ reopens the one it is in") {
  index::RunIndex idx(With({.buildkite = true}));
  Feeder(idx)
      .Out("--- Folded")
      .Out("+++ Open")
      .Out("~~~ Folded too")
      .Out("--- Reopened")
      .Out("tests failed")
      .Out("^^^ +++")
      .Out("--- Folded again");
  idx.Finish(10);
  CHECK(Folds(idx) == Lines{"collapsed|", "expanded|", "collapsed|", "expanded|", "collapsed|"});
  CHECK(Shown(idx).size() == 5);  // `^^^ +++` opens nothing
}

TEST_CASE("sections: --sections none and a dialect left out change nothing else") {
  index::RunIndex idx(With({false, false, false}));
  Feeder(idx).Lines(
      {"::group::x", "section_start:1:y", "--- z", "a.c:1:1: error: e", "::endgroup::"});
  idx.Finish(0);
  CHECK(idx.sections().empty());
  CHECK(idx.counts().errors == 1);
  index::RunIndex gitlab_only(With({.github = false}));
  Feeder(gitlab_only).Lines({"::group::x", "section_start:1:y", "::endgroup::", "section_end:1:y"});
  CHECK(Shown(gitlab_only) == Lines{"0|3|5|0|ok|y"});
}

TEST_CASE("sections: a section open over a gap stays open and ends as usual") {
  index::RunIndex idx;
  Feeder(idx).Out("::group::long").Skip(1000).Out("::endgroup::");
  CHECK(Shown(idx) == Lines{"0|2|1003|0|ok|long"});
}

TEST_CASE("sections: the end of the run ends what is open, at the last output line") {
  index::RunIndex idx;
  Feeder(idx).At(5).Out("::group::outer").Out("::group::inner").At(30).Err("x");
  idx.Add(5, EventType::Exit, "{}", 50, SegmentEnd::Newline);  // exit itself is no output line
  idx.Finish(50);
  CHECK(Shown(idx) == Lines{"0|2|4|45|ok|outer", "1|3|4|45|ok|inner"});
}

TEST_CASE("sections: an error found later for an earlier line fails the section it is in") {
  index::RunIndex idx;
  Feeder(idx).Lines({"::group::tests", "=== RUN   TestB", "    b_test.go:5: got 1",
                     "::endgroup::", "--- FAIL: TestB (0.00s)"});
  idx.Finish(0);
  CHECK(Shown(idx) == Lines{"0|2|5|0|failed|tests"});
  REQUIRE(idx.problems().size() == 1);
  CHECK(idx.problems()[0].seq == 4);
}

TEST_CASE("sections: past max_sections and kMaxDepth nothing opens, and their ends end nothing") {
  index::IndexOptions options;
  options.max_sections = 2;
  index::RunIndex idx(options);
  Feeder(idx).Lines({"::group::a", "::group::b", "::group::c",
                     "::endgroup::", "::endgroup::", "::group::d", "::endgroup::"});
  CHECK(Shown(idx) == Lines{"0|2|||ok|a", "1|3|6|0|ok|b"});  // d's end did not end a

  index::RunIndex deep;
  Feeder feeder(deep);
  for (std::size_t i = 0; i < index::SectionTracker::kMaxDepth + 5; ++i) feeder.Out("::group::g");
  for (std::size_t i = 0; i < 5; ++i) feeder.Out("::endgroup::");
  CHECK(deep.sections().size() == index::SectionTracker::kMaxDepth);
  CHECK(deep.sections().back().open());
  feeder.Out("::endgroup::");
  CHECK_FALSE(deep.sections().back().open());
}

TEST_CASE("sections: a marker on a line that began before the last boundary still nests") {
  index::RunIndex idx;
  Feeder(idx)
      .Out("::group::", SegmentEnd::Partial)  // stdout's line begins (seq 2)…
      .Err("::group::err side")               // …stderr opens a group at 3…
      .Err("::endgroup::")                    // …and ends it at 4…
      .Out("out side");                       // …then stdout's marker completes at 5
  idx.Finish(0);
  CHECK(Shown(idx) == Lines{"0|3|4|0|ok|err side", "0|5|5|0|ok|out side"});
}

TEST_CASE("sections: each change moves the index's version and the section's own") {
  index::RunIndex idx;
  Feeder feeder(idx);
  feeder.Out("plain");
  const std::uint64_t before = idx.version();
  feeder.Out("::group::g");
  REQUIRE(idx.sections().size() == 1);
  CHECK(idx.version() > before);
  CHECK(idx.sections()[0].version == idx.version());
  const std::uint64_t opened = idx.version();
  feeder.Out("inside");
  CHECK(idx.version() == opened);
  feeder.Out("::endgroup::");
  CHECK(idx.sections()[0].version == idx.version());
  CHECK(idx.version() > opened);
}

TEST_CASE("sections: --sections LIST") {
  std::string why;
  CHECK(index::ParseSectionDialects("auto", false) == index::SectionDialects{true, true, false});
  CHECK(index::ParseSectionDialects("auto", true) == index::SectionDialects{true, true, true});
  CHECK(index::ParseSectionDialects("none", true) == index::SectionDialects{false, false, false});
  CHECK(index::ParseSectionDialects("buildkite,github", false) ==
        index::SectionDialects{true, false, true});
  CHECK_FALSE(index::ParseSectionDialects("github,", false, &why));
  CHECK(why ==
        "--sections: unknown dialect '' (auto, none, or a list of github, gitlab, buildkite)");
  CHECK_FALSE(index::ParseSectionDialects("GitHub", false));
  CHECK_FALSE(index::ParseSectionDialects("", false));
}
