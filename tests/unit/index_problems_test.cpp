// The run index's problem matchers (SPEC §12), line by line: what each tool's lines give,
// and what looks like a diagnostic but is not one.
#include <doctest/doctest.h>

#include <string>

#include "index/run_index.hpp"
#include "index/tool_table.hpp"
#include "index_test_support.hpp"

using namespace ssetail;
using index::Problem;
using index::Severity;
using index_test::Feeder;
using index_test::Problems;
using index_test::ProblemsOf;

namespace {

// [seq, severity, tool, file, line, col, message] of a problem.
std::string Show(const Problem& p) {
  return std::to_string(p.seq) + "|" + std::string(index::SeverityName(p.severity)) + "|" +
         std::string(p.tool) + "|" + p.file + "|" + std::to_string(p.line) + "|" +
         std::to_string(p.col) + "|" + p.message;
}

std::vector<std::string> Shown(const std::vector<Problem>& problems) {
  std::vector<std::string> out;
  for (const Problem& p : problems) out.push_back(Show(p));
  return out;
}

using Lines = std::vector<std::string>;

}  // namespace

namespace doctest {
template <>
struct StringMaker<Lines> {  // a failing comparison shows the problems one per line
  static String convert(const Lines& lines) {
    std::string out = "\n";
    for (const auto& line : lines) out += "  " + line + "\n";
    return out.c_str();
  }
};
}  // namespace doctest

TEST_CASE("index: gcc and clang diagnostics; notes and summaries are not problems") {
  CHECK(Shown(ProblemsOf({
            "main.c: In function 'main':",
            "main.c:5:13: warning: initialization makes pointer from integer [-Wint-conversion]",
            "main.c:2:5: note: declared here",
            "util.c:7:11: error: expected ';' before '}' token",
            "lib.h:3: fatal error: missing.h: No such file or directory",
            "1 warning and 2 errors generated.",
        })) ==
        Lines{
            "3|warning|cc|main.c|5|13|initialization makes pointer from integer [-Wint-conversion]",
            "5|error|cc|util.c|7|11|expected ';' before '}' token",
            "6|error|cc|lib.h|3|0|missing.h: No such file or directory",
        });
}

TEST_CASE("index: coloured output is matched as the page shows it") {
  CHECK(Shown(ProblemsOf({"\x1b[01m\x1b[Kmain.c:4:7:\x1b[m\x1b[K \x1b[01;35m\x1b[Kwarning: "
                          "\x1b[m\x1b[Kunused variable \x1b[01m\x1b[K'count'\x1b[m\x1b[K"})) ==
        Lines{"2|warning|cc|main.c|4|7|unused variable 'count'"});
}

TEST_CASE("index: MSVC, from its documented format") {
  CHECK(
      Shown(ProblemsOf({
          "C:\\src\\demo\\main.cpp(12): error C2065: 'y': undeclared identifier",
          "C:\\src\\demo\\main.cpp(5,9): warning C4101: 'unused': unreferenced local variable",
          "util.h(3): fatal error C1083: Cannot open include file: 'missing.h'",
      })) ==
      Lines{
          "2|error|msvc|C:\\src\\demo\\main.cpp|12|0|C2065: 'y': undeclared identifier",
          "3|warning|msvc|C:\\src\\demo\\main.cpp|5|9|C4101: 'unused': unreferenced local variable",
          "4|error|msvc|util.h|3|0|C1083: Cannot open include file: 'missing.h'",
      });
}

TEST_CASE("index: GitHub workflow commands, their properties and escapes") {
  CHECK(Shown(ProblemsOf({
            "::error file=app.js,line=10,col=15::Something went wrong",
            "::warning file=src/a%2Cb.js,line=3,title=Deprecated::use the%0Anew API 100%25",
            "::notice::Deployed",
            "##[error]Process completed with exit code 2.",
            "::debug::not a problem",
        })) == Lines{
                   "2|error|github|app.js|10|15|Something went wrong",
                   "3|warning|github|src/a,b.js|3|0|Deprecated: use the new API 100%",
                   "4|notice|github||0|0|Deployed",
                   "5|error|github||0|0|Process completed with exit code 2.",
               });
}

TEST_CASE("index: GitHub's stop-commands turns workflow commands off until its token") {
  index::RunIndex idx;
  Feeder(idx).Lines({"::stop-commands::pause-42", "::error::not one", "::group::not one",
                     "::pause-42::", "::error::one again"});
  idx.Finish(0);
  CHECK(Shown(Problems(idx)) == Lines{"6|error|github||0|0|one again"});
  CHECK(idx.sections().empty());
}

TEST_CASE("index: rustc's place comes from the next line; other tools' error: lines too") {
  CHECK(Shown(ProblemsOf({
            "error[E0425]: cannot find value `y` in this scope",
            " --> src/main.rs:4:20",
            "warning: unused variable: `x`",
            "  --> src/main.rs:2:9",
            "error: pathspec 'nope' did not match any file(s) known to git",
            "plain line",
            "warning: unused import",
        })) == Lines{
                   "2|error|rustc|src/main.rs|4|20|[E0425] cannot find value `y` in this scope",
                   "4|warning|rustc|src/main.rs|2|9|unused variable: `x`",
                   "6|error|generic||0|0|pathspec 'nope' did not match any file(s) known to git",
                   "8|warning|generic||0|0|unused import",
               });
}

TEST_CASE("index: summaries and git's line-ending notices are not problems") {
  CHECK(ProblemsOf({
                       "error: aborting due to 2 previous errors",
                       "error: could not compile `demo` (bin \"demo\") due to 2 previous errors",
                       "warning: 1 warning emitted",
                       "warning: `adder` (lib) generated 3 warnings",
                       "error: test failed, to rerun pass `--lib`",
                       "warning: in the working copy of 'a.txt', LF will be replaced by CRLF the "
                       "next time Git touches it",
                       "warning: LF will be replaced by CRLF in a.txt.",
                       "warning: CRLF will be replaced by LF in b.txt.",
                       "FAILED (failures=2)",
                       "FAILED (failures=1, errors=1)",
                       "make: *** Waiting for unfinished jobs....",
                       "3 warnings generated.",
                   })
            .empty());
}

TEST_CASE("index: Rust panics, the message on the next line or quoted on the same") {
  CHECK(Shown(ProblemsOf({
            "thread 'tests::adds' (31991) panicked at src/lib.rs:16:9:",
            "assertion `left == right` failed",
            "thread 'main' panicked at 'explicit panic', src/main.rs:2:5",
            "thread 'main' panicked at src/main.rs:9:1:",
            "",
        })) ==
        Lines{
            "2|error|rust panic|src/lib.rs|16|9|tests::adds: assertion `left == right` failed",
            "4|error|rust panic|src/main.rs|2|5|main: explicit panic",
            "5|error|rust panic|src/main.rs|9|1|thread 'main' panicked at src/main.rs:9:1:",
        });
}

TEST_CASE(
    "index: a Python traceback is an error at its exception line, placed in the user's code") {
  CHECK(Shown(ProblemsOf({
            "Traceback (most recent call last):",
            "  File \"/w/app.py\", line 8, in <module>",
            "    load()",
            "  File \"/usr/lib/python3.11/json/__init__.py\", line 346, in loads",
            "    return _default_decoder.decode(s)",
            "           ^^^^^^^^^^^^^^^^^^^^^^^^^^",
            "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
            "Traceback (most recent call last):",
            "  File \"<frozen runpy>\", line 198, in _run_module_as_main",
            "KeyboardInterrupt",
            "Traceback (most recent call last):",
            "  File \"x.py\", line 1, in <module>",
            "this is no exception line",
        })) == Lines{
                   "8|error|python|/w/app.py|8|0|json.decoder.JSONDecodeError: Expecting value: "
                   "line 1 column 1 (char 0)",
                   "11|error|python|<frozen runpy>|198|0|KeyboardInterrupt",
               });
}

TEST_CASE("index: the streams are apart: a stdout line does not end a stderr traceback") {
  index::RunIndex idx;
  Feeder(idx)
      .Err("Traceback (most recent call last):")
      .Out("progress 50%")
      .Err("  File \"x.py\", line 3, in <module>")
      .Err("ValueError: bad");
  idx.Finish(0);
  CHECK(Shown(Problems(idx)) == Lines{"5|error|python|x.py|3|0|ValueError: bad"});
}

TEST_CASE("index: unittest: a failure is its test's error, placed at the test method's frame") {
  CHECK(Shown(ProblemsOf({
            "======================================================================",
            "ERROR: test_parse (test_calc.TestCalc.test_parse)",
            "----------------------------------------------------------------------",
            "Traceback (most recent call last):",
            "  File \"/w/test_calc.py\", line 14, in test_parse",
            "    self.assertEqual(parse(\"x\"), 1)",
            "  File \"/w/calc.py\", line 6, in parse",
            "    return int(text)",
            "ValueError: invalid literal for int() with base 10: 'x'",
            "",
            "During handling of the above exception, another exception occurred:",
            "",
            "Traceback (most recent call last):",
            "  File \"/w/test_calc.py\", line 15, in test_parse",
            "RuntimeError: again",
            "",
            "----------------------------------------------------------------------",
            "Ran 3 tests in 0.002s",
            "",
            "FAILED (errors=1)",
        })) ==
        Lines{"10|error|unittest|/w/test_calc.py|14|0|test_parse (test_calc.TestCalc.test_parse): "
              "ValueError: invalid literal for int() with base 10: 'x'"});
}

TEST_CASE("index: pytest's FAILED lines get the file, and the line its report pointed at") {
  CHECK(Shown(ProblemsOf({
            "_________________________ TestCalc.test_add[2-2] _________________________",
            "",
            ">       assert add(a, b) == 5",
            "E       assert 4 == 5",
            "tests/test_calc.py:21: AssertionError",
            "=========================== short test summary info ============================",
            "FAILED tests/test_calc.py::TestCalc::test_add[2-2] - assert 4 == 5",
            "FAILED tests/test_other.py::test_x",
            "ERROR tests/test_broken.py - ModuleNotFoundError: No module named 'nope'",
        })) == Lines{
                   "8|error|pytest|tests/test_calc.py|21|0|TestCalc::test_add[2-2] - assert 4 == 5",
                   "9|error|pytest|tests/test_other.py|0|0|test_x",
                   "10|error|pytest|tests/test_broken.py|0|0|tests/test_broken.py - "
                   "ModuleNotFoundError: No module named 'nope'",
               });
}

TEST_CASE("index: go test -v: a failed test's lines are errors, a passing test's logs are not") {
  index::RunIndex idx;
  Feeder(idx)
      .Lines({"=== RUN   TestA", "    a_test.go:6: just a log line", "--- PASS: TestA (0.00s)",
              "=== RUN   TestB", "=== PAUSE TestB", "=== RUN   TestC", "=== PAUSE TestC",
              "=== CONT  TestB", "    b_test.go:11: got 1, want 2"})
      .Err("util.c:1:1: error: elsewhere")  // found before TestB's verdict, after its line
      .Lines({"=== CONT  TestC", "    c_test.go:3: fine", "--- FAIL: TestB (0.00s)",
              "--- PASS: TestC (0.00s)", "FAIL"});
  idx.Finish(0);
  CHECK(Shown(Problems(idx)) == Lines{"10|error|go test|b_test.go|11|0|TestB: got 1, want 2",
                                      "11|error|cc|util.c|1|1|elsewhere"});
}

TEST_CASE("index: go test without -v: the lines under the verdict; a panic at the verdict") {
  CHECK(Shown(ProblemsOf({
            "--- FAIL: TestC (0.00s)",
            "    --- FAIL: TestC/sub (0.00s)",
            "        c_test.go:17: sub failed",
            "--- FAIL: TestP (0.00s)",
            "panic: boom [recovered]",
            "\tpanic: boom",
            "--- FAIL: TestQ (1.00s)",
        })) == Lines{
                   "4|error|go test|c_test.go|17|0|TestC/sub: sub failed",
                   "5|error|go test||0|0|TestP: panic: boom [recovered]",
                   "8|error|go test||0|0|TestQ: failed",
               });
}

TEST_CASE("index: the Go compiler, the linker, make, ctest, CMake") {
  CHECK(Shown(ProblemsOf({
            "./main.go:6:2: x declared and not used",
            "main.c:(.text+0x5): undefined reference to `missing'",
            "/w/main.c:5: undefined reference to `other'",
            "collect2: error: ld returned 1 exit status",
            "make[2]: *** [Makefile:5: util.o] Error 1",
            "The following tests FAILED:",
            "\t  2 - fails (Failed)",
            "\t  3 - crashes (Subprocess aborted)",
            "Errors while running CTest",
            "CMake Warning (dev) at CMakeLists.txt:7 (project):",
            "  Policy CMP0048 is not set",
        })) == Lines{
                   "2|error|go|./main.go|6|2|x declared and not used",
                   "3|error|ld|main.c|0|0|undefined reference to `missing'",
                   "4|error|ld|/w/main.c|5|0|undefined reference to `other'",
                   "6|error|make||0|0|make[2]: *** [Makefile:5: util.o] Error 1",
                   "8|error|ctest||0|0|fails (Failed)",
                   "9|error|ctest||0|0|crashes (Subprocess aborted)",
                   "11|warning|cmake|CMakeLists.txt|7|0|project: Policy CMP0048 is not set",
               });
}

TEST_CASE("index: lines that begin with a timestamp are matched after it") {
  CHECK(Shown(ProblemsOf({
            "2026-12-06T02:14:03.1234567Z util.c:5:5: error: expected ';' before 'return'",
            "2026-12-06T02:14:03+01:00 ::warning file=a.c::w",
            "2024-05-22T12:43:46.962646Z 00O+ make: *** [all] Error 2",
            "2026-12-06T02:14:03.Z util.c:1:1: error: not a timestamp, not a place",
            "2026-12-06 02:14:03 util.c:1:1: error: not ISO-8601 either",
        })) == Lines{
                   "2|error|cc|util.c|5|5|expected ';' before 'return'",
                   "3|warning|github|a.c|0|0|w",
                   "4|error|make||0|0|make: *** [all] Error 2",
               });
}

TEST_CASE("index: a line is what its segments join to, at its first event") {
  index::RunIndex idx;
  Feeder(idx)
      .Err("util.c:3:14: err", SegmentEnd::Partial)
      .Out("stdout meanwhile")
      .Err("or: split line")
      .Out(" 50%", SegmentEnd::CarriageReturn)
      .Out("100%", SegmentEnd::CarriageReturn)
      .Out("error[E0001]: after the progress bar")
      .Out(" --> a.rs:1:2");
  idx.Finish(0);
  CHECK(Shown(Problems(idx)) == Lines{"2|error|cc|util.c|3|14|split line",
                                      "5|error|rustc|a.rs|1|2|[E0001] after the progress bar"});
}

TEST_CASE("index: a line without its newline at the end still counts") {
  index::RunIndex idx;
  Feeder(idx).Err("main.c:1:1: error: last words", SegmentEnd::Partial);
  CHECK(idx.problems().empty());
  idx.Finish(0);
  CHECK(Shown(Problems(idx)) == Lines{"2|error|cc|main.c|1|1|last words"});
}

TEST_CASE("index: a gap drops the line in progress and what waits for more lines") {
  index::RunIndex idx;
  Feeder(idx)
      .Err("main.c:1:1: error: cut ", SegmentEnd::Partial)
      .Out("Traceback (most recent call last):")
      .Out("  File \"x.py\", line 3, in <module>")
      .Skip(5)
      .Err("off")  // the continuation of a line whose start was lost: not a problem
      .Out("ValueError: the traceback was cut")
      .Out("error[E0002]: waits for its place")
      .Skip(1)
      .Out("a.c:2:2: warning: after the gap");
  idx.Finish(0);
  CHECK(Shown(Problems(idx)) == Lines{"12|error|rustc||0|0|[E0002] waits for its place",
                                      "14|warning|cc|a.c|2|2|after the gap"});
}

TEST_CASE("index: events out of order or after the end are ignored") {
  index::RunIndex idx;
  idx.Add(5, EventType::Stdout, "a.c:1:1: error: one", 0, SegmentEnd::Newline);
  idx.Add(5, EventType::Stdout, "a.c:1:1: error: again", 0, SegmentEnd::Newline);
  idx.Add(3, EventType::Stdout, "a.c:1:1: error: older", 0, SegmentEnd::Newline);
  idx.Finish(10);
  idx.Add(6, EventType::Stdout, "a.c:1:1: error: after", 0, SegmentEnd::Newline);
  CHECK(Shown(Problems(idx)) == Lines{"5|error|cc|a.c|1|1|one"});
  CHECK(idx.last_seq() == 5);
}

TEST_CASE("index: past max_problems the list stops, the counts go on; long fields are cut") {
  index::IndexOptions options;
  options.max_problems = 2;
  index::RunIndex idx(options);
  Feeder(idx).Lines(
      {"a.c:1:1: error: 1", "a.c:2:1: warning: 2", "a.c:3:1: error: 3", "a.c:4:1: warning: 4"});
  idx.Finish(0);
  CHECK(idx.problems().size() == 2);
  CHECK(idx.counts() == index::Counts{2, 2, 0});

  const std::string long_message =
      "a.c:1:1: error: " + std::string(index::kMaxFieldBytes - 1, 'x') + "\xc3\xa9" +
      std::string(100, 'y');
  index::RunIndex cut;
  Feeder(cut).Out(long_message);
  cut.Finish(0);
  REQUIRE(cut.problems().size() == 1);
  CHECK(cut.problems()[0].message == std::string(index::kMaxFieldBytes - 1, 'x'));
}

TEST_CASE("index: the first error in line order") {
  index::RunIndex idx;
  CHECK(idx.FirstError() == nullptr);
  Feeder(idx).Lines({"a.c:1:1: warning: w", "a.c:2:1: error: e", "a.c:3:1: error: f"});
  REQUIRE(idx.FirstError() != nullptr);
  CHECK(idx.FirstError()->message == "e");
}

TEST_CASE("index: every row of the tools table compiles, and is found by its prefix or needles") {
  const auto& table = index::ToolTable::Get();  // aborts on a bad pattern or needle
  index::RowMatch m;
  CHECK_FALSE(table.Match("", m));
  CHECK_FALSE(table.Match("gcc -O2 -c main.c -o main.o", m));
  CHECK_FALSE(table.Match("12:00:01 INFO server: request 7 served in 3 ms: GET /", m));
  for (const index::ToolRow& row : index::ToolRows()) {
    INFO(row.pattern);
    CHECK((!row.starts_with.empty() || !row.needles[0].empty()));
  }
  // A needle at the very end of the line, or a ':' at its start, is looked at safely.
  CHECK(table.Match("main.go:1:2: x", m));
  CHECK(m.row->tool == "go");
  CHECK_FALSE(table.Match(":", m));
  CHECK_FALSE(table.Match("a.c: error:", m));
}
