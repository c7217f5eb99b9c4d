// The run's index (index::RunIndex) fed arbitrary events, as capture makes them (valid
// UTF-8 without NUL, CR or LF; stdout or stderr; newline, CR or partial ends; seqs that may
// jump, as a capped record's do), often beginning with a marker or a tool's prefix so that
// every matcher and section dialect is reached. Checked after every event and at the end:
// - a problem's seq is an output event that was fed; the line order is a permutation of the
//   problems, by seq; the counts equal the list while under the cap (the list is capped);
// - problem and section texts are valid UTF-8 on one line, within kMaxFieldBytes;
// - sections nest: sorted by first, first fed, first <= last <= the last seq; depth is the
//   parent's + 1; a closed parent holds its children; a section that is not an ancestor of
//   the next one ended before it; after Finish none is open;
// - the version grows whenever the problems or the sections change;
// - progress is done <= total, total > 0; the encodings are valid UTF-8 without raw
//   controls; the summary is one line; each annotation line is a workflow command.
// - a second index fed the same events so that no line takes RunIndex::Add's shortcut for
//   plain lines (each after an empty partial segment, at twice its seq) says the same.
//
// Input: [dialects][cap][events...], each event [flags][token][length][bytes...]: flags bit
// 0 the stream, bits 1-2 the end (newline, CR, partial), bit 3 a gap of 1-4 seqs before it,
// bits 4-7 the time step; token 1..N puts kTokens[token-1] before the bytes.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "checkers.hpp"
#include "index/index_json.hpp"
#include "index/run_index.hpp"
#include "index/terminal_report.hpp"
#include "text/utf8.hpp"

using namespace ssetail;

namespace {

// Beginnings of the lines the matchers and sections look for.
constexpr std::string_view kTokens[] = {
    "::group::",
    "::endgroup::",
    "##[group]",
    "##[endgroup]",
    "\x1b[0Ksection_start:1700000000:build[collapsed=true]",
    "\x1b[0Ksection_end:1700000000:build",
    "\x1b[0K",
    "section_start:1:b",
    "section_end:1:b",
    "--- ",
    "+++ ",
    "~~~ ",
    "::error file=a.c,line=3,col=4::",
    "::warning title=T::",
    "::notice::",
    "::stop-commands::tok",
    "::tok::",
    "error[E0425]: ",
    "warning: ",
    " --> src/main.rs:4:20",
    "thread 'main' panicked at src/lib.rs:1:2:",
    "a.c:1:2: error: ",
    "b.c:3: warning: ",
    "x.cpp(12,3): error C2065: ",
    "./m.go:6:2: ",
    "m.c:(.text+0x5): undefined reference to ",
    "make[1]: *** ",
    "Traceback (most recent call last):",
    "  File \"/w/a.py\", line 3, in test_x",
    "ValueError: ",
    "FAIL: test_x (m.C.test_x)",
    "----------------------------------------------------------------------",
    "___ test_x ___",
    "tests/t.py:9: ",
    "FAILED tests/t.py::test_x - ",
    "=== RUN   TestB",
    "    b_test.go:5: ",
    "--- FAIL: TestB (0.00s)",
    "--- PASS: TestB (0.00s)",
    "    --- FAIL: TestB/s (0.00s)",
    "panic: ",
    "The following tests FAILED:",
    "\t  2 - t (Failed)",
    "CMake Error at CMakeLists.txt:3 (add_executable):",
    "[3/14] ",
    "[ 45%] ",
    "2026-12-06T02:14:03.1234567Z ",
    "2024-05-22T12:43:46.962646Z 00O+ ",
};

bool OneLineText(std::string_view text) {
  if (text.size() > index::kMaxFieldBytes || !fuzz::IsValidUtf8(text)) return false;
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool NoRawControls(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20) return false;
  }
  return fuzz::IsValidUtf8(text);
}

struct Observer {
  std::set<std::uint64_t> fed;  // output seqs
  std::uint64_t version = 0;
  std::size_t problems = 0;
  std::size_t sections = 0;
};

void CheckProblems(const index::RunIndex& idx, const Observer& seen, std::size_t cap) {
  const auto& problems = idx.problems();
  const auto& order = idx.line_order();
  FUZZ_CHECK(order.size() == problems.size());
  FUZZ_CHECK(problems.size() <= cap);
  FUZZ_CHECK(problems.size() == std::min<std::uint64_t>(idx.counts().total(), cap));
  std::vector<bool> listed(problems.size());
  index::Counts counted;
  for (std::size_t k = 0; k < order.size(); ++k) {
    FUZZ_CHECK(order[k] < problems.size() && !listed[order[k]]);
    listed[order[k]] = true;
    if (k > 0) FUZZ_CHECK(problems[order[k - 1]].seq <= problems[order[k]].seq);
  }
  for (const index::Problem& p : problems) {
    FUZZ_CHECK(seen.fed.count(p.seq) == 1);
    FUZZ_CHECK(OneLineText(p.message) && OneLineText(p.file));
    FUZZ_CHECK(!p.tool.empty());
    counted.Add(p.severity);
  }
  if (idx.counts().total() <= cap) FUZZ_CHECK(counted == idx.counts());
}

void CheckSections(const index::RunIndex& idx, const Observer& seen) {
  const auto& sections = idx.sections();
  for (std::size_t i = 0; i < sections.size(); ++i) {
    const index::Section& s = sections[i];
    FUZZ_CHECK(seen.fed.count(s.first) == 1);
    FUZZ_CHECK(OneLineText(s.title));
    if (!s.open()) FUZZ_CHECK(s.first <= s.last && s.last <= idx.last_seq());
    if (i > 0) FUZZ_CHECK(sections[i - 1].first < s.first);
    if (s.parent < 0) {
      FUZZ_CHECK(s.depth == 0);
    } else {
      const auto parent = static_cast<std::size_t>(s.parent);
      FUZZ_CHECK(parent < i);
      const index::Section& p = sections[parent];
      FUZZ_CHECK(s.depth == p.depth + 1);
      FUZZ_CHECK(p.first <= s.first);
      if (!p.open()) FUZZ_CHECK(!s.open() && s.last <= p.last);
    }
    if (i + 1 < sections.size()) {  // the next one is a child of this one, or after it
      std::int64_t up = sections[i + 1].parent;
      while (up > static_cast<std::int64_t>(i)) up = sections[static_cast<std::size_t>(up)].parent;
      if (up != static_cast<std::int64_t>(i))
        FUZZ_CHECK(!s.open() && s.last < sections[i + 1].first);
    }
    if (idx.finished()) FUZZ_CHECK(!s.open());
  }
}

void CheckOutlets(const index::RunIndex& idx) {
  std::string out;
  index::AppendProblemsJson(out, "R", idx);
  index::AppendSectionsJson(out, "R", idx);
  index::AppendStatusMembers(out, idx);
  index::IndexCursor cursor;
  FUZZ_CHECK(index::AppendIndexDelta(out, "R", idx, cursor));
  FUZZ_CHECK(!index::AppendIndexDelta(out, "R", idx, cursor));
  FUZZ_CHECK(NoRawControls(out));
  const std::string summary = index::SummaryLine(idx);
  FUZZ_CHECK(summary.empty() || summary.find('\n') == summary.size() - 1);
  FUZZ_CHECK(summary.empty() == (idx.counts().errors + idx.counts().warnings == 0));
  const std::string annotations = index::GitHubAnnotations(idx);
  for (std::size_t at = 0; at < annotations.size();) {
    const std::size_t eol = annotations.find('\n', at);
    FUZZ_CHECK(eol != std::string::npos);
    const std::string_view line(annotations.data() + at, eol - at);
    FUZZ_CHECK(line.starts_with("::error file=") || line.starts_with("::warning file="));
    FUZZ_CHECK(line.find('\r') == std::string_view::npos);
    at = eol + 1;
  }
  if (const auto& g = idx.progress()) {
    FUZZ_CHECK(g->fraction.total > 0 && g->fraction.done <= g->fraction.total);
  }
}

void Check(const index::RunIndex& idx, Observer& seen, std::size_t cap) {
  CheckProblems(idx, seen, cap);
  CheckSections(idx, seen);
  FUZZ_CHECK(idx.version() >= seen.version);
  if (idx.problems().size() != seen.problems || idx.sections().size() != seen.sections) {
    FUZZ_CHECK(idx.version() > seen.version);
  }
  seen.version = idx.version();
  seen.problems = idx.problems().size();
  seen.sections = idx.sections().size();
}

// `whole` was fed the same events at twice their seqs, each after an empty partial segment of
// its stream at the seq before: nothing a line means changes, but no line can take the
// index's shortcut for plain lines, so both indexes must say the same (seqs halved).
void CheckSameAsWholeWay(const index::RunIndex& idx, const index::RunIndex& whole) {
  const auto half = [](std::uint64_t seq) { return (seq + 1) / 2; };
  FUZZ_CHECK(idx.counts() == whole.counts());
  FUZZ_CHECK(idx.line_order() == whole.line_order());
  FUZZ_CHECK(idx.problems().size() == whole.problems().size());
  for (std::size_t i = 0; i < std::min(idx.problems().size(), whole.problems().size()); ++i) {
    const index::Problem &a = idx.problems()[i], &b = whole.problems()[i];
    FUZZ_CHECK(a.seq == half(b.seq) && a.severity == b.severity && a.file == b.file &&
               a.line == b.line && a.col == b.col && a.message == b.message && a.tool == b.tool);
  }
  FUZZ_CHECK(idx.sections().size() == whole.sections().size());
  for (std::size_t i = 0; i < std::min(idx.sections().size(), whole.sections().size()); ++i) {
    const index::Section &a = idx.sections()[i], &b = whole.sections()[i];
    FUZZ_CHECK(a.title == b.title && a.first == half(b.first) && a.last == half(b.last) &&
               a.depth == b.depth && a.t_first == b.t_first && a.t_last == b.t_last &&
               a.parent == b.parent && a.dialect == b.dialect && a.failed == b.failed &&
               a.collapsed == b.collapsed && a.end_marker == half(b.end_marker));
  }
  FUZZ_CHECK(idx.progress().has_value() == whole.progress().has_value());
  if (idx.progress() && whole.progress()) {
    FUZZ_CHECK(idx.progress()->fraction.done == whole.progress()->fraction.done &&
               idx.progress()->fraction.total == whole.progress()->fraction.total &&
               idx.progress()->seq == half(whole.progress()->seq));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader in(data, size);
  const std::uint8_t dialects = in.Byte();
  index::IndexOptions options;
  options.sections = {(dialects & 1) == 0, (dialects & 2) == 0, (dialects & 4) != 0};
  options.max_problems = in.Byte() % 8 == 0 ? 3 : 10000;  // sometimes a cap that is reached
  options.max_sections = (dialects & 8) != 0 ? 2 : 10000;
  index::RunIndex idx(options);
  index::RunIndex whole(options);  // the same events, kept off the shortcut
  Observer seen;
  std::uint64_t seq = 2;  // 1 is `start`
  std::uint32_t t = 0;
  idx.Add(1, EventType::Start, "{}", 0, SegmentEnd::Newline);
  whole.Add(1, EventType::Start, "{}", 0, SegmentEnd::Newline);
  whole.Add(2, EventType::Start, "{}", 0, SegmentEnd::Newline);
  while (!in.Rest().empty()) {
    const std::uint8_t flags = in.Byte();
    const std::uint8_t token = in.Byte();
    const std::size_t length = in.Byte();
    std::string raw;
    if (token > 0 && token <= std::size(kTokens)) raw = kTokens[token - 1];
    raw += in.Take(length);
    std::string text;  // what capture would hand over
    utf8::AppendRepaired(raw, text);
    std::erase_if(text, [](char c) { return c == '\r' || c == '\n'; });
    if ((flags & 8) != 0) seq += 1 + (flags & 3);
    t += flags >> 4;
    const int end = (flags >> 1) & 3;
    const SegmentEnd segment_end = end == 1   ? SegmentEnd::CarriageReturn
                                   : end == 2 ? SegmentEnd::Partial
                                              : SegmentEnd::Newline;
    seen.fed.insert(seq);
    const EventType stream = (flags & 1) != 0 ? EventType::Stderr : EventType::Stdout;
    whole.Add(seq * 2 - 1, stream, {}, t, SegmentEnd::Partial);
    whole.Add(seq * 2, stream, text, t, segment_end);
    idx.Add(seq++, stream, text, t, segment_end);
    Check(idx, seen, options.max_problems);
  }
  idx.Finish(t + 1);
  whole.Finish(t + 1);
  Check(idx, seen, options.max_problems);
  CheckOutlets(idx);
  CheckSameAsWholeWay(idx, whole);
  return 0;
}
