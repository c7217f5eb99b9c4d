// The run's index on real output: each run record in tests/unit/fixtures/index (made by
// make.sh from real tools through ssetail --save) fed event by event, its problems,
// sections, progress and counts compared with NAME[.VARIANT].expected, written from
// reading the tools' output.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "index/run_index.hpp"
#include "record/record_line.hpp"

using namespace ssetail;

namespace {

const std::filesystem::path kFixtures = SSETAIL_INDEX_FIXTURES;

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The expected file's text form: P|seq|severity|tool|file|line|col|message per problem in
// line order, S|depth|first|last|duration_ms|failed or ok|collapsed or expanded|end_marker|title
// per section (its default fold; end_marker empty when no end marker ended it), G|done/total,
// C|errors|warnings|notices.
// `seq` maps the index's seqs to the record's (the identity but for the check of the
// shortcut below).
std::string Render(
    const index::RunIndex& idx,
    std::uint64_t (*seq)(std::uint64_t) = [](std::uint64_t s) { return s; }) {
  std::ostringstream out;
  const auto number = [](std::uint32_t n) { return n == 0 ? std::string() : std::to_string(n); };
  for (const std::uint32_t i : idx.line_order()) {
    const index::Problem& p = idx.problems()[i];
    out << "P|" << seq(p.seq) << '|' << index::SeverityName(p.severity) << '|' << p.tool << '|'
        << p.file << '|' << number(p.line) << '|' << number(p.col) << '|' << p.message << '\n';
  }
  for (const index::Section& s : idx.sections()) {
    out << "S|" << s.depth << '|' << seq(s.first) << '|' << seq(s.last) << '|' << s.duration_ms()
        << '|' << (s.failed ? "failed" : "ok") << '|' << (s.collapsed ? "collapsed" : "expanded")
        << '|' << (s.end_marker == 0 ? std::string() : std::to_string(seq(s.end_marker))) << '|'
        << s.title << '\n';
  }
  if (const auto& g = idx.progress()) {
    out << "G|" << g->fraction.done << '/' << g->fraction.total << '\n';
  }
  out << "C|" << idx.counts().errors << '|' << idx.counts().warnings << '|' << idx.counts().notices
      << '\n';
  return out.str();
}

// Adds one event. `whole_way`: at twice its seq, after an empty partial segment of the same
// stream (or the same event) at the seq before, which changes nothing a line means but keeps
// each line off the index's shortcut for plain lines.
void AddEvent(index::RunIndex& idx, std::uint64_t seq, EventType type, std::string_view text,
              std::uint32_t t, SegmentEnd end, bool whole_way) {
  if (!whole_way) {
    idx.Add(seq, type, text, t, end);
    return;
  }
  const bool output = IsOutput(type);
  idx.Add(seq * 2 - 1, type, output ? std::string_view() : text, t,
          output ? SegmentEnd::Partial : end);
  idx.Add(seq * 2, type, text, t, end);
}

// An index's options with the sections of `dialects`, as --sections takes them.
index::IndexOptions OptionsFor(std::string_view dialects) {
  std::string why;
  const auto parsed = index::ParseSectionDialects(dialects, false, &why);
  REQUIRE_MESSAGE(parsed, why);
  return index::IndexOptions{*parsed};
}

// A whole-way index's seqs as the record's.
std::uint64_t Halved(std::uint64_t seq) {
  return (seq + 1) / 2;
}

// Feeds a run record to an index as an indexer following the History would, and finishes
// it at the exit event.
void Feed(const std::filesystem::path& record, index::RunIndex& idx, bool whole_way = false) {
  std::ifstream in(record);
  REQUIRE(in);
  std::string line, buffer;
  std::uint32_t t = 0;
  while (std::getline(in, line)) {
    buffer.clear();
    const auto event = record::ParseLine(line, buffer);
    REQUIRE(event);
    if (event->type == EventType::Exit) {
      idx.Finish(t);
      continue;
    }
    if (IsOutput(event->type)) t = event->t_ms;
    AddEvent(idx, event->seq, event->type, event->text, event->t_ms, event->end, whole_way);
  }
  CHECK(idx.finished());
}

}  // namespace

TEST_CASE("index fixtures: each real tool's output gives the expected problems and sections") {
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    const std::string name = entry.path().filename();
    if (!name.ends_with(".expected")) continue;
    std::string expected = Read(entry.path());
    index::IndexOptions options;
    if (expected.starts_with("O|sections=")) {  // the variant's options, on its first line
      const std::size_t eol = expected.find('\n');
      std::string why;
      const auto dialects = index::ParseSectionDialects(expected.substr(11, eol - 11), false, &why);
      REQUIRE_MESSAGE(dialects, why);
      options.sections = *dialects;
      expected.erase(0, eol + 1);
    }
    index::RunIndex idx(options);
    Feed(kFixtures / (name.substr(0, name.find('.')) + ".ndjson"), idx);
    INFO("fixture ", name);
    CHECK(Render(idx) == expected);
    ++checked;
  }
  CHECK(checked >= 20);
}

// The shortcut RunIndex::Add takes for plain lines changes nothing: the same records fed so
// that no line can take it give the same index (a line's seqs mapped back).
TEST_CASE("index fixtures: lines kept off the shortcut for plain lines index the same") {
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    if (entry.path().extension() != ".ndjson") continue;
    for (const char* dialects : {"auto", "github,gitlab,buildkite"}) {
      index::RunIndex shortcut(OptionsFor(dialects));
      index::RunIndex whole_way(OptionsFor(dialects));
      Feed(entry.path(), shortcut);
      Feed(entry.path(), whole_way, true);
      INFO("record ", entry.path().filename().string(), ", sections ", dialects);
      CHECK(Render(whole_way, Halved) == Render(shortcut));
      ++checked;
    }
  }
  CHECK(checked >= 40);
}

// The same, on lines made to reach the shortcut's edges: plain lines (no ':', ASCII) where
// a matcher or a section waits for the next line, or a line is in progress.
TEST_CASE("index: plain lines where a reader waits for them index as the whole way does") {
  struct Ev {
    EventType type;
    std::string_view text;
    SegmentEnd end = SegmentEnd::Newline;
  };
  const EventType out = EventType::Stdout, err = EventType::Stderr;
  const std::vector<Ev> events = {
      {err, "Traceback (most recent call last):"},
      {err, "  File \"/w/t.py\", line 3, in test_x"},
      {err, "    assert x"},
      {err, "AssertionError"},  // Python's exception line without a message
      {out, "plain between"},
      {err, "error: could not find the thing"},
      {err, "plain message on the next line"},
      {err, "CMake Error at CMakeLists.txt:3 (add_executable):"},
      {err, "  Cannot find source file"},
      {out, "The following tests FAILED:"},
      {out, "plain after the list"},
      {out, "\t  3 - other (Failed)"},  // no longer in the list
      {out, "=== RUN   TestB"},
      {out, "--- FAIL: TestB (0.00s)"},
      {out, "    plain in the block"},
      {out, "plain after the block"},
      {out, "::group::Build"},
      {out, "plain inside"},
      {out, "::endgroup", SegmentEnd::Partial},
      {out, "::", SegmentEnd::Newline},
      {out, "plain after the end"},
      {out, "section_start:1:b", SegmentEnd::CarriageReturn},
      {out, "plain title"},
      {out, "section_end:1:b"},
      {out, "--- a buildkite group"},
      {out, "plain in it"},
      {out, "[ 50%] plain progress"},
      {out, "half a line", SegmentEnd::Partial},
      {out, " and its plain end"},
      {out, "a line", SegmentEnd::CarriageReturn},
      {out, "plain over it"},
      {err, "FAILED tests/t.py::test_x - boom"},
      {err, "plain"},
  };
  for (const char* dialects : {"auto", "github,gitlab,buildkite", "none"}) {
    index::RunIndex shortcut(OptionsFor(dialects));
    index::RunIndex whole_way(OptionsFor(dialects));
    std::uint64_t seq = 2;
    for (const Ev& e : events) {
      AddEvent(shortcut, seq, e.type, e.text, static_cast<std::uint32_t>(seq * 10), e.end, false);
      AddEvent(whole_way, seq, e.type, e.text, static_cast<std::uint32_t>(seq * 10), e.end, true);
      ++seq;
      INFO("sections ", dialects, ", after event ", seq - 1, ": ", e.text);
      REQUIRE(Render(whole_way, Halved) == Render(shortcut));
    }
    shortcut.Finish(1000);
    whole_way.Finish(1000);
    INFO("sections ", dialects);
    CHECK(Render(whole_way, Halved) == Render(shortcut));
    CHECK(shortcut.counts().errors >= 3);
  }
}

TEST_CASE("index fixtures: every record has its expectation") {
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    if (entry.path().extension() != ".ndjson") continue;
    auto expected = entry.path();
    expected.replace_extension(".expected");
    CHECK_MESSAGE(std::filesystem::exists(expected), expected.string());
  }
}

// The page's own matchers (web/problems.js) were tested on these captures; the index finds
// the same problems, but where SPEC §12 changed the rule: a traceback is at its exception
// line and placed in the user's code, pytest's message names the test and gets its line.
TEST_CASE("index fixtures: what the page's matchers found on their captures, found again") {
  const std::filesystem::path page = SSETAIL_PAGE_PROBLEM_FIXTURES;
  const auto problems = [&](const char* name) {
    index::RunIndex idx;
    std::ifstream in(page / name);
    REQUIRE(in);
    std::string line;
    std::uint64_t seq = 2;
    while (std::getline(in, line)) idx.Add(seq++, EventType::Stderr, line, 0, SegmentEnd::Newline);
    idx.Finish(0);
    std::string out;  // "line|severity|tool|file|line|col|message", line = SEQ - 1
    for (const std::uint32_t i : idx.line_order()) {
      const index::Problem& p = idx.problems()[i];
      out += std::to_string(p.seq - 1) + "|" + std::string(index::SeverityName(p.severity)) + "|" +
             std::string(p.tool) + "|" + p.file + "|" + std::to_string(p.line) + "|" +
             std::to_string(p.col) + "|" + p.message + "\n";
    }
    return out;
  };
  CHECK(problems("gcc.txt") ==
        "2|warning|cc|prog.c|5|13|initialization of ‘char *’ from ‘int’ makes pointer from integer "
        "without a cast [-Wint-conversion]\n"
        "5|error|cc|prog.c|6|18|too few arguments to function ‘add’\n"
        "11|error|cc|prog.c|7|11|expected ‘;’ before ‘}’ token\n"
        "17|warning|cc|prog.c|5|9|unused variable ‘p’ [-Wunused-variable]\n"
        "20|warning|cc|prog.c|4|7|unused variable ‘unused’ [-Wunused-variable]\n");
  CHECK(problems("clang.txt") ==
        "1|warning|cc|prog.c|5|9|incompatible integer to pointer conversion initializing 'char *' "
        "with an expression of type 'int' [-Wint-conversion]\n"
        "4|error|cc|prog.c|6|23|too few arguments to function call, expected 2, have 1\n"
        "10|error|cc|prog.c|7|11|expected ';' after return statement\n");
  CHECK(problems("rustc.txt") ==
        "1|error|rustc|main.rs|4|20|[E0425] cannot find value `y` in this scope\n"
        "13|error|rustc|main.rs|2|18|[E0308] mismatched types\n");
  CHECK(problems("rustc-warning.txt") == "1|warning|rustc|warn.rs|2|9|unused variable: `unused`\n");
  CHECK(problems("go.txt") ==
        "2|error|go|./main.go|6|2|x declared but not used\n"
        "3|error|go|./main.go|7|14|undefined: y\n");
  CHECK(problems("python.txt") ==
        "18|error|python|/tmp/h11-fx/tb.py|4|0|json.decoder.JSONDecodeError: Expecting property "
        "name enclosed in double quotes: line 1 column 2 (char 1)\n");
  CHECK(problems("pytest.txt") ==
        "25|error|pytest|tests/test_calc.py|10|0|test_add_wrong - assert 4 == 5\n"
        "26|error|pytest|tests/test_calc.py|14|0|test_boom - RuntimeError: boom\n");
  CHECK(problems("github.txt") ==
        "2|error|github|app.js|10|15|Something went wrong\n"
        "3|warning|github|src/util.js|3|0|Deprecated: use the new API\n"
        "4|notice|github||0|0|Deployed to staging\n");
  CHECK(problems("msvc.txt") ==
        "3|error|msvc|C:\\src\\demo\\main.cpp|12|0|C2065: 'y': undeclared identifier\n"
        "4|warning|msvc|C:\\src\\demo\\main.cpp|5|9|C4101: 'unused': unreferenced local variable\n"
        "5|error|msvc|util.h|3|0|C1083: Cannot open include file: 'missing.h': No such file or "
        "directory\n");
}
