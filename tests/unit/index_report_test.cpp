// The index's outlets (SPEC §12): /problems, /sections, /status members, the delta for an
// event stream, the terminal's summary line, GitHub annotations; and the small parsers
// (progress, timestamps).
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "index/index_json.hpp"
#include "index/line_text.hpp"
#include "index/progress.hpp"
#include "index/run_index.hpp"
#include "index/terminal_report.hpp"
#include "index_test_support.hpp"

using namespace ssetail;
using index_test::Feeder;

TEST_CASE("index json: /problems in line order, nulls for what the tool did not say") {
  index::RunIndex idx;
  Feeder(idx).Lines({"make: *** [all] Error 2", "util.c:5:5: warning: \"quoted\" \xc3\xa9",
                     "::notice file=a.c,line=3::n"});
  std::string out;
  index::AppendProblemsJson(out, "RUN", idx);
  CHECK(out ==
        "{\"errors\":1,\"warnings\":1,\"notices\":1,\"complete\":false,\"problems\":["
        "{\"id\":\"RUN.2\",\"severity\":\"error\",\"file\":null,\"line\":null,\"col\":null,"
        "\"message\":\"make: *** [all] Error 2\",\"tool\":\"make\"},"
        "{\"id\":\"RUN.3\",\"severity\":\"warning\",\"file\":\"util.c\",\"line\":5,\"col\":5,"
        "\"message\":\"\\\"quoted\\\" \xc3\xa9\",\"tool\":\"cc\"},"
        "{\"id\":\"RUN.4\",\"severity\":\"notice\",\"file\":\"a.c\",\"line\":3,\"col\":null,"
        "\"message\":\"n\",\"tool\":\"github\"}]}");
  idx.Finish(0);
  out.clear();
  index::AppendProblemsJson(out, "RUN", idx);
  CHECK(out.find("\"complete\":true") != std::string::npos);
}

TEST_CASE("index json: /sections; an open section has no last and no duration yet") {
  index::RunIndex idx;
  Feeder(idx).At(10).Out("::group::A \"b\"").At(30).Out("::endgroup::").Out("::group::open");
  std::string out;
  index::AppendSectionsJson(out, "RUN", idx);
  CHECK(out ==
        "{\"sections\":[{\"title\":\"A \\\"b\\\"\",\"first\":\"RUN.2\",\"last\":\"RUN.3\","
        "\"depth\":0,\"duration_ms\":20,\"failed\":false,\"collapsed\":true,\"end_marker\":\"RUN."
        "3\"},"
        "{\"title\":\"open\",\"first\":\"RUN.4\",\"last\":null,\"depth\":0,\"duration_ms\":null,"
        "\"failed\":false,\"collapsed\":true,\"end_marker\":null}]}");
}

TEST_CASE("index json: /status members: problem counts and the last progress") {
  index::RunIndex idx;
  std::string out;
  index::AppendStatusMembers(out, idx);
  CHECK(out == "\"problems\":{\"errors\":0,\"warnings\":0},\"progress\":null");
  Feeder(idx).Lines(
      {"[1/14] Building C object a.o", "[ 50%] Building C object b.o", "a.c:1:1: warning: w"});
  out.clear();
  index::AppendStatusMembers(out, idx);
  CHECK(out ==
        "\"problems\":{\"errors\":0,\"warnings\":1},\"progress\":{\"done\":50,\"total\":100}");
  REQUIRE(idx.progress());
  CHECK(idx.progress()->seq == 3);
}

TEST_CASE("index json: the delta gives a fresh reader everything, then only what changed") {
  index::RunIndex idx;
  Feeder feeder(idx);
  index::IndexCursor cursor;
  std::string out;
  CHECK(index::AppendIndexDelta(out, "R", idx, cursor));  // a fresh reader: even an empty index
  CHECK(out ==
        "{\"errors\":0,\"warnings\":0,\"notices\":0,\"complete\":false,\"problems\":[],"
        "\"sections\":[],\"progress\":null}");
  out.clear();
  CHECK_FALSE(index::AppendIndexDelta(out, "R", idx, cursor));
  CHECK(out.empty());

  feeder.Lines({"::group::g", "a.c:1:1: error: e", "[2/4] x"});
  CHECK(index::AppendIndexDelta(out, "R", idx, cursor));
  CHECK(out ==
        "{\"errors\":1,\"warnings\":0,\"notices\":0,\"complete\":false,\"problems\":["
        "{\"id\":\"R.3\",\"severity\":\"error\",\"file\":\"a.c\",\"line\":1,\"col\":1,"
        "\"message\":\"e\",\"tool\":\"cc\"}],\"sections\":[{\"n\":0,\"title\":\"g\","
        "\"first\":\"R.2\",\"last\":null,\"depth\":0,\"duration_ms\":null,\"failed\":true,"
        "\"collapsed\":true,\"end_marker\":null}],"
        "\"progress\":{\"done\":2,\"total\":4,\"id\":\"R.4\"}}");

  feeder.Lines({"plain", "::endgroup::", "::group::h"});
  out.clear();
  CHECK(index::AppendIndexDelta(out, "R", idx, cursor));
  CHECK(out.find("\"problems\":[]") != std::string::npos);
  CHECK(out.find("{\"n\":0,\"title\":\"g\",\"first\":\"R.2\",\"last\":\"R.6\"") !=
        std::string::npos);
  CHECK(out.find("{\"n\":1,\"title\":\"h\"") != std::string::npos);
  idx.Finish(0);
  out.clear();
  CHECK(index::AppendIndexDelta(out, "R", idx, cursor));
  CHECK(out.find("\"complete\":true") != std::string::npos);
  CHECK(out.find("{\"n\":0,") == std::string::npos);  // unchanged since
}

TEST_CASE("terminal: the summary line names the counts and the first error with its line") {
  index::RunIndex none;
  Feeder(none).Lines({"all good", "::notice::fyi"});
  CHECK(index::SummaryLine(none).empty());

  index::RunIndex idx;
  Feeder(idx).Lines({"gcc -c main.c", "main.c:4:7: warning: unused variable 'count'",
                     "util.c:5:5: error: expected ';' before 'return'", "make: *** [all] Error 1",
                     "a.c:1:1: warning: w"});
  CHECK(index::SummaryLine(idx) ==
        "ssetail: 2 errors, 2 warnings; first error: util.c:5:5: expected ';' before 'return' "
        "(line 3)\n");

  index::RunIndex one;
  Feeder(one).Lines({"x", "make: *** [all] Error 1"});
  CHECK(index::SummaryLine(one) ==
        "ssetail: 1 error; first error: make: *** [all] Error 1 (line 2)\n");
  index::RunIndex warned;
  Feeder(warned).Lines({"b.c:7: warning: w"});
  CHECK(index::SummaryLine(warned) == "ssetail: 1 warning; first warning: b.c:7: w (line 1)\n");
}

TEST_CASE("terminal: GitHub annotations for the first ten errors and warnings with a file") {
  index::RunIndex idx;
  Feeder feeder(idx);
  feeder.Lines({"make: *** [all] Error 1", "::error file=x.c,line=1::already an annotation",
                "a,b.c:3:1: error: 100% wrong: yes"});
  for (int i = 0; i < 12; ++i) feeder.Out("w.c:" + std::to_string(i + 1) + ": warning: w");
  const std::string annotations = index::GitHubAnnotations(idx);
  CHECK(
      annotations.starts_with("::error file=a%2Cb.c,line=3,col=1::100%25 wrong: yes\n"
                              "::warning file=w.c,line=1::w\n"));
  CHECK(std::count(annotations.begin(), annotations.end(), '\n') == 11);
  CHECK(annotations.find("line=11") == std::string::npos);
  CHECK(index::EscapeWorkflowData("a%b\r\nc:d,e") == "a%25b%0D%0Ac:d,e");
  CHECK(index::EscapeWorkflowProperty("a%b\r\nc:d,e") == "a%25b%0D%0Ac%3Ad%2Ce");
}

TEST_CASE("progress: [n/m] and [ NN%] at the start of a line, nothing else") {
  using index::Fraction;
  CHECK(index::ParseProgress("[3/14] Building C object") == Fraction{3, 14});
  CHECK(index::ParseProgress("[14/14] Linking") == Fraction{14, 14});
  CHECK(index::ParseProgress("[ 45%] Building C object") == Fraction{45, 100});
  CHECK(index::ParseProgress("[100%] Built target") == Fraction{100, 100});
  CHECK(index::ParseProgress("[  7%]") == Fraction{7, 100});
  for (const char* no :
       {"[15/14] x", "[3/0] x", "[ 3/14] x", "[101%] x", "[3/14]x", "[x/14] x", "[3/14",
        " [3/14] x", "[1234567890123456789/1234567890123456789] x", "[]", "[/] x", "[%] x"}) {
    INFO(no);
    CHECK_FALSE(index::ParseProgress(no));
  }
}

TEST_CASE("timestamps: ISO-8601 at the start of a raw CI log's lines, and GitLab's stream tag") {
  CHECK(index::SkipTimestamp("2026-12-06T02:14:03.1234567Z make") == "make");
  CHECK(index::SkipTimestamp("2026-12-06T02:14:03Z make") == "make");
  CHECK(index::SkipTimestamp("2026-12-06T02:14:03,5+01:00 make") == "make");
  CHECK(index::SkipTimestamp("2026-12-06T02:14:03-0500 make") == "make");
  CHECK(index::SkipTimestamp("2026-12-06T02:14:03 make") == "make");
  CHECK(index::SkipTimestamp("2024-05-22T12:43:46.962646Z 01E+ make") == "make");
  CHECK(index::SkipTimestamp("2024-05-22T12:43:46.962646Z 00O section_start:1:a") ==
        "section_start:1:a");
  for (const char* kept :
       {"2026-12-06 02:14:03 make", "2026-12-06T02:14:03make", "2026-12-06T02:14:03.Z make",
        "2026-12-06T02:14", "12:00:00 make", "2026-12-06T02:14:03+01 make"}) {
    CHECK(index::SkipTimestamp(kept) == kept);
  }
}
