#include "serve/run_list_html.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using ssetail::Error;
using ssetail::RelativeTime;
using ssetail::Result;
using ssetail::RunListHtml;
using ssetail::RunOutcome;
using ssetail::RunSummary;

namespace {

constexpr std::int64_t kNow = 1'800'000'000'000;  // ms since the epoch

RunSummary Run(std::string id, std::string title, std::int64_t minutes_ago, std::string state,
               std::optional<std::int64_t> code = std::nullopt) {
  RunSummary run;
  run.id = std::move(id);
  run.title = std::move(title);
  run.started_ms = kNow - minutes_ago * 60'000;
  run.started = "2027-01-15T08:0" + std::to_string(minutes_ago % 10) + ":00.000Z";
  run.state = std::move(state);
  run.exit_code = code;
  return run;
}

std::string Page(std::vector<RunSummary> runs) {
  return RunListHtml(Result<std::vector<RunSummary>>(std::move(runs)), kNow);
}

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("run list: the outcome of each state") {
  CHECK(RunOutcome(Run("a", "t", 1, "exited", 0)) == "passed");
  CHECK(RunOutcome(Run("a", "t", 1, "exited", 2)) == "failed");
  RunSummary signalled = Run("a", "t", 1, "exited");
  signalled.exit_signal = "SIGTERM";
  CHECK(RunOutcome(signalled) == "failed");
  CHECK(RunOutcome(Run("a", "t", 1, "running")) == "running");
  CHECK(RunOutcome(Run("a", "t", 1, "lost")) == "lost");
  CHECK(RunOutcome(Run("a", "t", 1, "")) == "unknown");
}

TEST_CASE("run list: badges say the outcome, a failure with its exit status") {
  RunSummary signalled = Run("sig", "t", 1, "exited");
  signalled.exit_signal = "SIGTERM";
  const std::string page =
      Page({Run("ok", "t", 2, "exited", 0), Run("bad", "t", 3, "exited", 2),
            Run("live", "t", 0, "running"), Run("gone", "t", 4, "lost"), signalled});
  CHECK(page.find("<span class=\"badge\" data-outcome=\"passed\">passed</span>") !=
        std::string::npos);
  CHECK(page.find("<span class=\"badge\" data-outcome=\"failed\">failed · exit 2</span>") !=
        std::string::npos);
  CHECK(page.find("<span class=\"badge\" data-outcome=\"failed\">failed · SIGTERM</span>") !=
        std::string::npos);
  CHECK(page.find("<span class=\"badge\" data-outcome=\"running\">running</span>") !=
        std::string::npos);
  CHECK(page.find("<span class=\"badge\" data-outcome=\"lost\">lost</span>") != std::string::npos);
  CHECK(page.find("<tr class=\"run\" data-state=\"lost\">") != std::string::npos);
  CHECK(page.find("5 runs · 1 title · 1 running · 2 failed") != std::string::npos);
}

TEST_CASE("run list: titles, ids and the error are escaped, never markup") {
  RunSummary run = Run("r1", "<script>alert('x')</script> & \"q\"", 1, "exited", 1);
  run.command = R"(["<script>"])";
  run.compare_with = "r0";
  run.started = "<img src=x>";
  const std::string page = Page({run});
  CHECK(page.find("<script>alert") == std::string::npos);
  CHECK(page.find("<img") == std::string::npos);
  CHECK(page.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;") !=
        std::string::npos);
  CHECK(page.find("data-title=\"&lt;script&gt;") != std::string::npos);
  CHECK(page.find("datetime=\"&lt;img src=x&gt;\"") != std::string::npos);

  const std::string failed =
      RunListHtml(Result<std::vector<RunSummary>>(Error{"<b>refused</b>"}), kNow);
  CHECK(failed.find("Redis cannot be read: &lt;b&gt;refused&lt;/b&gt;") != std::string::npos);
  CHECK(failed.find("<b>") == std::string::npos);
}

TEST_CASE("run list: runs grouped by title, the newest group first, newest first within") {
  const std::string page =
      Page({Run("b1", "build", 50, "exited", 0), Run("t1", "test", 40, "exited", 1),
            Run("b2", "build", 30, "exited", 2), Run("d1", "deploy", 20, "lost"),
            Run("t2", "test", 10, "running"), Run("b3", "build", 5, "exited", 0)});
  CHECK(Count(page, "<tbody class=\"group\"") == 3);
  const auto build = page.find("data-title=\"build\"");
  const auto test = page.find("data-title=\"test\"");
  const auto deploy = page.find("data-title=\"deploy\"");
  REQUIRE(build != std::string::npos);
  CHECK(build < test);
  CHECK(test < deploy);
  // Within the build group: b3, b2, b1 (rows), after the head's small badges.
  const auto rows = page.find("<tr class=\"run\"", build);
  CHECK(page.find(">b3</a>", rows) < page.find(">b2</a>", rows));
  CHECK(page.find(">b2</a>", rows) < page.find(">b1</a>", rows));
  CHECK(page.find(">b1</a>", rows) < test);
  CHECK(page.find("<span class=\"group-count\">3 runs</span>", build) < test);
  CHECK(page.find("<span class=\"group-count\">1 run</span>", deploy) != std::string::npos);
  // The group's last outcomes, oldest first: b1 passed, b2 failed, b3 passed.
  const auto dots = page.find("<span class=\"recent\"", build);
  const auto b1 = page.find("data-outcome=\"passed\" href=\"runs/b1/\"", dots);
  const auto b2 = page.find("data-outcome=\"failed\" href=\"runs/b2/\"", dots);
  const auto b3 = page.find("data-outcome=\"passed\" href=\"runs/b3/\"", dots);
  CHECK(b1 < b2);
  CHECK(b2 < b3);
  CHECK(b3 < rows);
}

TEST_CASE("run list: a group shows at most ten small badges") {
  std::vector<RunSummary> runs;
  for (int i = 0; i < 14; ++i) runs.push_back(Run("r" + std::to_string(i), "t", i, "exited", 0));
  const std::string page = Page(runs);
  CHECK(Count(page, "class=\"dot\"") == 10);
  CHECK(Count(page, "<tr class=\"run\"") == 14);
}

TEST_CASE("run list: each row links to its run; one that did not pass to the last green run") {
  RunSummary red = Run("red", "build", 1, "exited", 2);
  red.compare_with = "green";
  RunSummary passed = Run("again", "build", 0, "exited", 0);
  passed.compare_with = "green";
  const std::string page = Page({passed, red, Run("green", "build", 9, "exited", 0)});
  CHECK(page.find("<a class=\"run-link\" href=\"runs/red/\">red</a>") != std::string::npos);
  CHECK(page.find("<a class=\"run-link\" href=\"runs/green/\">green</a>") != std::string::npos);
  CHECK(page.find("href=\"runs/red/?compare=green\"") != std::string::npos);
  CHECK(page.find("href=\"runs/again/?compare=green\"") == std::string::npos);
  CHECK(Count(page, "compare-link") == 1);
}

TEST_CASE("run list: a run that did not pass links to its first error") {
  RunSummary red = Run("red", "build", 1, "exited", 2);
  red.first_error = 42;
  RunSummary passed = Run("ok", "build", 2, "exited", 0);
  passed.first_error = 7;  // an error line in a run that passed: no link
  const std::string page = Page({red, passed, Run("none", "build", 3, "exited", 1)});
  CHECK(page.find("<a class=\"error-link\" href=\"runs/red/#L42\"") != std::string::npos);
  CHECK(Count(page, "error-link") == 1);
}

TEST_CASE("run list: the command as a shell line, escaped") {
  RunSummary run = Run("r", "t", 1, "running");
  run.command = R"(["sh","-c","echo \"<b>hi</b>\" \u0026 x"])";
  const std::string page = Page({run});
  CHECK(page.find("<b>hi") == std::string::npos);
  CHECK(page.find(">sh -c &#39;echo &quot;&lt;b&gt;hi&lt;/b&gt;&quot; &amp; x&#39;</span>") !=
        std::string::npos);
  RunSummary stdin_mode = Run("s", "t", 1, "running");  // command null: no command text
  CHECK(Page({stdin_mode}).find("class=\"command\"") == std::string::npos);
  RunSummary broken = Run("b", "t", 1, "running");
  broken.command = R"(["unterminated)";
  CHECK(Page({broken}).find("class=\"command\"") == std::string::npos);
}

TEST_CASE("run list: start as relative time with the ISO time on hover, duration, counts") {
  RunSummary run = Run("r", "t", 3, "exited", 1);
  run.started = "2027-01-15T08:03:00.000Z";
  run.duration_ms = 125'000;
  run.errors = 3;
  run.warnings = 0;
  const std::string page = Page({run});
  CHECK(page.find("<time datetime=\"2027-01-15T08:03:00.000Z\" "
                  "title=\"2027-01-15T08:03:00.000Z\">3 min ago</time>") != std::string::npos);
  CHECK(page.find(">2 min 5 s</td>") != std::string::npos);
  CHECK(page.find("<td class=\"num errors\">3</td>") != std::string::npos);
  CHECK(page.find("<td class=\"num warnings zero\">0</td>") != std::string::npos);
  // Counts not published yet: empty cells, not 0.
  const std::string unknown = Page({Run("r", "t", 3, "running")});
  CHECK(unknown.find("<td class=\"num errors\"></td>") != std::string::npos);
}

TEST_CASE("run list: relative times") {
  CHECK(RelativeTime(kNow - 3'000, kNow, "iso") == "just now");
  CHECK(RelativeTime(kNow - 42'000, kNow, "iso") == "42 s ago");
  CHECK(RelativeTime(kNow - 3 * 60'000, kNow, "iso") == "3 min ago");
  CHECK(RelativeTime(kNow - 5 * 3'600'000, kNow, "iso") == "5 h ago");
  CHECK(RelativeTime(kNow - 86'400'000, kNow, "iso") == "1 day ago");
  CHECK(RelativeTime(kNow - 2 * 86'400'000, kNow, "iso") == "2 days ago");
  CHECK(RelativeTime(kNow - 90LL * 86'400'000, kNow, "2026-01-02T03:04:05Z") == "2026-01-02");
  CHECK(RelativeTime(0, kNow, "not a time") == "not a time");    // unknown start: the text
  CHECK(RelativeTime(kNow + 5'000, kNow, "iso") == "just now");  // a clock ahead
}

TEST_CASE("run list: no runs, and the page's own files and filter") {
  const std::string page = Page({});
  CHECK(page.find("No runs yet") != std::string::npos);
  CHECK(page.find("<link rel=\"stylesheet\" href=\"style.css\">") != std::string::npos);
  CHECK(page.find("<script type=\"module\" src=\"run-list.js\"></script>") != std::string::npos);
  // Without JavaScript: a reload keeps it current, and no filter box that would do nothing.
  CHECK(page.find("<noscript><meta http-equiv=\"refresh\"") != std::string::npos);
  CHECK(page.find("<div id=\"list-filter\" class=\"toolbar\" role=\"search\" hidden>") !=
        std::string::npos);
}
