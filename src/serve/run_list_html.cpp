#include "serve/run_list_html.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "events/json.hpp"

namespace ssetail {

namespace {

constexpr std::size_t kRecentOutcomes = 10;  // the small badges beside a group's title
constexpr int kColumns = 7;

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// "exit 2", "SIGTERM", or "" when it exited 0, runs or was lost.
std::string ExitText(const RunSummary& run) {
  if (run.exit_code) return *run.exit_code == 0 ? "" : "exit " + std::to_string(*run.exit_code);
  return run.exit_signal.value_or("");
}

// What the badge says: "passed", "failed · exit 2", "running", "lost".
std::string BadgeText(const RunSummary& run) {
  const std::string_view outcome = RunOutcome(run);
  const std::string exit = ExitText(run);
  if (outcome == "failed" && !exit.empty()) return "failed · " + exit;
  return std::string(outcome);
}

std::string DurationText(const std::optional<std::int64_t>& ms) {
  if (!ms) return "";
  const std::int64_t seconds = *ms / 1000;
  if (seconds < 60) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(*ms) / 1000);
    return text;
  }
  if (seconds < 3600) {
    return std::to_string(seconds / 60) + " min " + std::to_string(seconds % 60) + " s";
  }
  return std::to_string(seconds / 3600) + " h " + std::to_string(seconds % 3600 / 60) + " min";
}

// A count cell: empty before the run's index published any, muted at 0.
std::string CountCell(const std::optional<std::uint64_t>& count, std::string_view kind) {
  std::string out = "<td class=\"num ";
  out += kind;
  if (count && *count == 0) out += " zero";
  out += "\">";
  if (count) out += std::to_string(*count);
  return out + "</td>";
}

// The command as a shell line ("make check"), from its JSON array; "" in stdin mode or when
// it does not parse (the catalog encodes it anew, but a list never fails on one run).
std::string CommandText(std::string_view json) {
  std::string out;
  if (json.size() < 2 || json.front() != '[') return out;
  std::size_t i = 1;
  while (i < json.size() && json[i] == '"') {
    std::size_t end = i + 1;
    while (end < json.size() && json[end] != '"') end += json[end] == '\\' ? 2 : 1;
    if (end >= json.size()) return "";
    std::string arg;
    if (!json::AppendUnescaped(json.substr(i + 1, end - i - 1), arg)) return "";
    const bool quote = arg.empty() || arg.find_first_of(" \t'\"") != std::string::npos;
    if (!out.empty()) out += ' ';
    out += quote ? "'" + arg + "'" : arg;
    i = end + 1;
    if (i < json.size() && json[i] == ',') ++i;
  }
  return out;
}

std::string RunHref(const RunSummary& run) {
  return "runs/" + EscapeHtml(run.id) + "/";
}

std::string StartedCell(const RunSummary& run, std::int64_t now_ms) {
  const std::string iso = EscapeHtml(run.started);
  return "<td class=\"started\"><time datetime=\"" + iso + "\" title=\"" + iso + "\">" +
         EscapeHtml(RelativeTime(run.started_ms, now_ms, run.started)) + "</time></td>";
}

std::string RunRow(const RunSummary& run, std::int64_t now_ms) {
  const std::string_view outcome = RunOutcome(run);
  std::string out = "<tr class=\"run\" data-state=\"" + std::string(outcome) + "\">";
  out += "<td class=\"badge-cell\"><span class=\"badge\" data-outcome=\"" + std::string(outcome) +
         "\">" + EscapeHtml(BadgeText(run)) + "</span></td>";
  out += "<td class=\"id\"><a class=\"run-link\" href=\"" + RunHref(run) + "\">" +
         EscapeHtml(run.id) + "</a>";
  const std::string command = CommandText(run.command);
  if (!command.empty()) {
    out += "<span class=\"command\" title=\"" + EscapeHtml(command) + "\">" + EscapeHtml(command) +
           "</span>";
  }
  out += "</td>";
  out += StartedCell(run, now_ms);
  out += "<td class=\"num duration\">" + DurationText(run.duration_ms) + "</td>";
  out += CountCell(run.errors, "errors");
  out += CountCell(run.warnings, "warnings");
  out += "<td class=\"links\">";
  if (run.first_error && outcome != "passed") {
    out += "<a class=\"error-link\" href=\"" + RunHref(run) + "#L" +
           std::to_string(*run.first_error) + "\" title=\"The run's first error, line " +
           std::to_string(*run.first_error) + "\">first error</a>";
  }
  // What changed since the last green run: the question after a red (or unfinished) run.
  if (run.compare_with && outcome != "passed") {
    out += "<a class=\"compare-link\" href=\"" + RunHref(run) +
           "?compare=" + EscapeHtml(*run.compare_with) +
           "\" title=\"What changed since the last run of this title that passed\">compare "
           "with last green</a>";
  }
  return out + "</td></tr>\n";
}

struct Group {
  std::string_view title;
  std::vector<const RunSummary*> runs;  // newest first
};

// Groups in the order of their newest run; the list comes newest first.
std::vector<Group> GroupByTitle(const std::vector<RunSummary>& runs) {
  std::vector<const RunSummary*> ordered;
  ordered.reserve(runs.size());
  for (const RunSummary& run : runs) ordered.push_back(&run);
  std::stable_sort(ordered.begin(), ordered.end(), [](const RunSummary* a, const RunSummary* b) {
    return a->started_ms > b->started_ms;
  });
  std::vector<Group> groups;
  for (const RunSummary* run : ordered) {
    auto group = std::find_if(groups.begin(), groups.end(),
                              [run](const Group& g) { return g.title == run->title; });
    if (group == groups.end()) {
      groups.push_back(Group{run->title, {}});
      group = groups.end() - 1;
    }
    group->runs.push_back(run);
  }
  return groups;
}

std::string GroupHead(const Group& group, std::int64_t now_ms) {
  const std::string title = EscapeHtml(group.title.empty() ? "untitled" : group.title);
  std::string out = "<tr class=\"group-head\"><th colspan=\"" + std::to_string(kColumns) +
                    "\" scope=\"rowgroup\"><span class=\"group-title\">" + title + "</span>";
  // The last outcomes, oldest to newest: the newest at the right, as CI pages show them.
  out += "<span class=\"recent\" aria-label=\"last runs, oldest first\">";
  const std::size_t shown = std::min(group.runs.size(), kRecentOutcomes);
  for (std::size_t i = shown; i-- > 0;) {
    const RunSummary& run = *group.runs[i];
    const std::string label =
        EscapeHtml(BadgeText(run) + " · " + RelativeTime(run.started_ms, now_ms, run.started));
    out += "<a class=\"dot\" data-outcome=\"" + std::string(RunOutcome(run)) + "\" href=\"" +
           RunHref(run) + "\" title=\"" + label + "\" aria-label=\"" + label + "\"></a>";
  }
  out += "</span><span class=\"group-count\">" + std::to_string(group.runs.size()) +
         (group.runs.size() == 1 ? " run" : " runs") + "</span></th></tr>\n";
  return out;
}

std::string Summary(const std::vector<RunSummary>& runs, std::size_t groups) {
  std::size_t running = 0, failed = 0;
  for (const RunSummary& run : runs) {
    running += RunOutcome(run) == "running";
    failed += RunOutcome(run) == "failed";
  }
  std::string out = std::to_string(runs.size()) + (runs.size() == 1 ? " run" : " runs") + " · " +
                    std::to_string(groups) + (groups == 1 ? " title" : " titles");
  if (running) out += " · " + std::to_string(running) + " running";
  if (failed) out += " · " + std::to_string(failed) + " failed";
  return out;
}

constexpr std::string_view kHead =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta name=\"color-scheme\" content=\"light dark\">\n"
    // Without JavaScript the list is kept current by reloading it; with it, run-list.js does.
    "<noscript><meta http-equiv=\"refresh\" content=\"5\"></noscript>\n"
    "<title>ssetail: runs</title>\n"
    "<link rel=\"icon\" href=\"favicon.svg\" type=\"image/svg+xml\">\n"
    "<link rel=\"stylesheet\" href=\"style.css\">\n"
    "<link rel=\"stylesheet\" href=\"run-list.css\">\n"
    "<script type=\"module\" src=\"run-list.js\"></script>\n"
    "</head>\n<body class=\"run-list\">\n";

constexpr std::string_view kFilter =
    "<div id=\"list-filter\" class=\"toolbar\" role=\"search\" hidden>"
    "<input id=\"run-filter\" type=\"search\" placeholder=\"Filter by title or run\" "
    "aria-label=\"Filter runs by title or run\" spellcheck=\"false\" autocomplete=\"off\">"
    "<span class=\"state-filter\" role=\"group\" aria-label=\"Show runs that\">"
    "<button class=\"toggle\" type=\"button\" data-filter-state=\"\" aria-pressed=\"true\">all"
    "</button>"
    "<button class=\"toggle\" type=\"button\" data-filter-state=\"passed\" "
    "aria-pressed=\"false\">passed</button>"
    "<button class=\"toggle\" type=\"button\" data-filter-state=\"failed\" "
    "aria-pressed=\"false\">failed</button>"
    "<button class=\"toggle\" type=\"button\" data-filter-state=\"running\" "
    "aria-pressed=\"false\">running</button>"
    "<button class=\"toggle\" type=\"button\" data-filter-state=\"lost\" "
    "aria-pressed=\"false\">lost</button></span>"
    "<span id=\"filter-count\" class=\"filter-count\" aria-live=\"polite\"></span></div>\n";

}  // namespace

std::string_view RunOutcome(const RunSummary& run) {
  if (run.state == "running") return "running";
  if (run.state == "lost") return "lost";
  if (run.state != "exited") return "unknown";
  return run.exit_code == 0 ? "passed" : "failed";
}

std::string RelativeTime(std::int64_t started_ms, std::int64_t now_ms, std::string_view iso) {
  if (started_ms <= 0) return std::string(iso);
  const std::int64_t seconds = std::max<std::int64_t>(0, (now_ms - started_ms) / 1000);
  if (seconds < 10) return "just now";
  if (seconds < 60) return std::to_string(seconds) + " s ago";
  if (seconds < 3600) return std::to_string(seconds / 60) + " min ago";
  if (seconds < 86400) return std::to_string(seconds / 3600) + " h ago";
  const std::int64_t days = seconds / 86400;
  if (days <= 30) return std::to_string(days) + (days == 1 ? " day ago" : " days ago");
  return std::string(iso.substr(0, 10));  // the date of an ISO-8601 time
}

std::string RunListHtml(const Result<std::vector<RunSummary>>& runs, std::int64_t now_ms) {
  std::string out(kHead);
  out += "<header class=\"list-head\" data-known><div class=\"title-row\"><h1>Runs</h1>";
  if (!runs) {
    return out + "</div></header>\n<main id=\"runs\" class=\"runs-main\"><p class=\"note bad\">" +
           "Redis cannot be read: " + EscapeHtml(runs.error()) + "</p></main>\n</body></html>\n";
  }
  const std::vector<Group> groups = GroupByTitle(*runs);
  out += "<span id=\"list-summary\" class=\"meta\">" + Summary(*runs, groups.size()) +
         "</span></div>\n";
  out += kFilter;
  out += "</header>\n<main id=\"runs\" class=\"runs-main\" data-now=\"" + std::to_string(now_ms) +
         "\">\n";
  if (runs->empty()) {
    return out +
           "<p class=\"note\">No runs yet: publish one with <code>ssetail --publish "
           "redis://HOST -- COMMAND</code>.</p></main>\n</body></html>\n";
  }
  out +=
      "<table class=\"runs\">\n<thead><tr><th>state</th><th>run</th><th>started</th>"
      "<th class=\"num\">duration</th><th class=\"num\">errors</th>"
      "<th class=\"num\">warnings</th><th></th></tr></thead>\n";
  for (const Group& group : groups) {
    out += "<tbody class=\"group\" data-title=\"" + EscapeHtml(group.title) + "\">\n";
    out += GroupHead(group, now_ms);
    for (const RunSummary* run : group.runs) out += RunRow(*run, now_ms);
    out += "</tbody>\n";
  }
  return out +
         "</table>\n<p id=\"filter-empty\" class=\"note\" hidden>No run matches the "
         "filter.</p>\n</main>\n</body></html>\n";
}

}  // namespace ssetail
