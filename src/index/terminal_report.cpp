#include "index/terminal_report.hpp"

namespace ssetail::index {

namespace {

std::string Plural(std::uint64_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// `file:line:col: message`, or as much of the place as the tool gave.
std::string Located(const Problem& p) {
  std::string out;
  if (!p.file.empty()) {
    out = p.file;
    // Appended piece by piece: `":" + std::to_string(…)` draws g++ 12's false -Wrestrict at -O3.
    if (p.line != 0) out.append(":").append(std::to_string(p.line));
    if (p.line != 0 && p.col != 0) out.append(":").append(std::to_string(p.col));
    out += ": ";
  }
  return out + p.message;
}

const Problem* FirstOf(const RunIndex& index, Severity severity) {
  for (const std::uint32_t i : index.line_order()) {
    if (index.problems()[i].severity == severity) return &index.problems()[i];
  }
  return nullptr;
}

std::string Escape(std::string_view text, bool property) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '%':
        out += "%25";
        break;
      case '\r':
        out += "%0D";
        break;
      case '\n':
        out += "%0A";
        break;
      case ':':
        out += property ? "%3A" : ":";
        break;
      case ',':
        out += property ? "%2C" : ",";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string SummaryLine(const RunIndex& index) {
  const Counts& counts = index.counts();
  if (counts.errors == 0 && counts.warnings == 0) return {};
  std::string line = "ssetail: ";
  if (counts.errors != 0) line += Plural(counts.errors, "error");
  if (counts.errors != 0 && counts.warnings != 0) line += ", ";
  if (counts.warnings != 0) line += Plural(counts.warnings, "warning");
  const bool errors = counts.errors != 0;
  if (const Problem* first = FirstOf(index, errors ? Severity::Error : Severity::Warning)) {
    line += errors ? "; first error: " : "; first warning: ";
    line += Located(*first);
    line += " (line " + std::to_string(first->seq - 1) + ")";
  }
  return line + "\n";
}

std::string GitHubAnnotations(const RunIndex& index, std::size_t per_severity) {
  std::string out;
  std::size_t errors = 0, warnings = 0;
  for (const std::uint32_t i : index.line_order()) {
    const Problem& p = index.problems()[i];
    if (p.file.empty() || p.tool == "github" || p.severity == Severity::Notice) continue;
    std::size_t& given = p.severity == Severity::Error ? errors : warnings;
    if (given == per_severity) continue;
    ++given;
    out += "::";
    out += SeverityName(p.severity);
    out += " file=" + EscapeWorkflowProperty(p.file);
    if (p.line != 0) out += ",line=" + std::to_string(p.line);
    if (p.line != 0 && p.col != 0) out += ",col=" + std::to_string(p.col);
    out += "::" + EscapeWorkflowData(p.message) + "\n";
  }
  return out;
}

std::string EscapeWorkflowData(std::string_view text) {
  return Escape(text, false);
}

std::string EscapeWorkflowProperty(std::string_view text) {
  return Escape(text, true);
}

}  // namespace ssetail::index
