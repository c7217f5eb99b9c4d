#include "serve/run_list_html.hpp"

#include <cstdio>

namespace ssetail {

namespace {

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

// "exit 0", "SIGTERM", or "" while running or lost.
std::string ExitText(const RunSummary& run) {
  if (run.exit_code) return "exit " + std::to_string(*run.exit_code);
  return run.exit_signal.value_or("");
}

std::string DurationText(const std::optional<std::int64_t>& ms) {
  if (!ms) return "";
  const std::int64_t seconds = *ms / 1000;
  if (seconds < 60) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(*ms) / 1000);
    return text;
  }
  return std::to_string(seconds / 60) + " min " + std::to_string(seconds % 60) + " s";
}

std::string CountText(const std::optional<std::uint64_t>& count) {
  return count ? std::to_string(*count) : "";
}

}  // namespace

std::string RunListHtml(const Result<std::vector<RunSummary>>& runs) {
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta http-equiv=\"refresh\" content=\"5\"><title>ssetail: runs</title></head>\n"
      "<body><h1>Runs</h1>\n";
  if (!runs) {
    return out + "<p>Redis cannot be read: " + EscapeHtml(runs.error()) + "</p></body></html>\n";
  }
  out +=
      "<table>\n<tr><th>run</th><th>state</th><th>exit status</th><th>errors</th>"
      "<th>warnings</th><th>started</th><th>duration</th></tr>\n";
  for (const RunSummary& run : *runs) {
    out += "<tr class=\"" + EscapeHtml(run.state) + "\"><td><a href=\"runs/" + EscapeHtml(run.id) +
           "/\">" + EscapeHtml(run.title.empty() ? run.id : run.title) + "</a></td><td>" +
           EscapeHtml(run.state) + "</td><td>" + EscapeHtml(ExitText(run)) + "</td><td>" +
           CountText(run.errors) + "</td><td>" + CountText(run.warnings) + "</td><td>" +
           EscapeHtml(run.started) + "</td><td>" + DurationText(run.duration_ms) + "</td></tr>\n";
  }
  return out + "</table>\n</body></html>\n";
}

}  // namespace ssetail
