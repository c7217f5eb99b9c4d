#include "index/index_json.hpp"

#include <charconv>

#include "events/json.hpp"

namespace ssetail::index {

namespace {

void AppendNumber(std::string& out, std::uint64_t n) {
  char digits[24];
  out.append(digits, std::to_chars(digits, digits + sizeof digits, n).ptr);
}

void AppendId(std::string& out, std::string_view run_id, std::uint64_t seq) {
  out += '"';
  out += run_id;
  out += '.';
  AppendNumber(out, seq);
  out += '"';
}

void AppendNumberOrNull(std::string& out, std::uint32_t n) {
  if (n == 0) {
    out += "null";
  } else {
    AppendNumber(out, n);
  }
}

void AppendCounts(std::string& out, const RunIndex& index) {
  out += "\"errors\":";
  AppendNumber(out, index.counts().errors);
  out += ",\"warnings\":";
  AppendNumber(out, index.counts().warnings);
  out += ",\"notices\":";
  AppendNumber(out, index.counts().notices);
  out += ",\"complete\":";
  out += index.finished() ? "true" : "false";
}

void AppendProgress(std::string& out, const std::optional<Progress>& progress,
                    std::string_view run_id) {
  if (!progress) {
    out += "null";
    return;
  }
  out += "{\"done\":";
  AppendNumber(out, progress->fraction.done);
  out += ",\"total\":";
  AppendNumber(out, progress->fraction.total);
  if (!run_id.empty()) {
    out += ",\"id\":";
    AppendId(out, run_id, progress->seq);
  }
  out += '}';
}

}  // namespace

void AppendProblemJson(std::string& out, std::string_view run_id, const Problem& p) {
  out += "{\"id\":";
  AppendId(out, run_id, p.seq);
  out += ",\"severity\":\"";
  out += SeverityName(p.severity);
  out += "\",\"file\":";
  if (p.file.empty()) {
    out += "null";
  } else {
    json::AppendString(out, p.file);
  }
  out += ",\"line\":";
  AppendNumberOrNull(out, p.line);
  out += ",\"col\":";
  AppendNumberOrNull(out, p.col);
  out += ",\"message\":";
  json::AppendString(out, p.message);
  out += ",\"tool\":";
  json::AppendString(out, p.tool);
  out += '}';
}

void AppendSectionJson(std::string& out, std::string_view run_id, const Section& s) {
  out += "{\"title\":";
  json::AppendString(out, s.title);
  out += ",\"first\":";
  AppendId(out, run_id, s.first);
  out += ",\"last\":";
  if (s.open()) {
    out += "null";
  } else {
    AppendId(out, run_id, s.last);
  }
  out += ",\"depth\":";
  AppendNumber(out, s.depth);
  out += ",\"duration_ms\":";
  if (s.open()) {
    out += "null";
  } else {
    AppendNumber(out, s.duration_ms());
  }
  out += ",\"failed\":";
  out += s.failed ? "true" : "false";
  out += ",\"collapsed\":";
  out += s.collapsed ? "true" : "false";
  out += ",\"end_marker\":";
  if (s.end_marker == 0) {
    out += "null";
  } else {
    AppendId(out, run_id, s.end_marker);
  }
  out += '}';
}

void AppendProblemsJson(std::string& out, std::string_view run_id, const RunIndex& index) {
  out += '{';
  AppendCounts(out, index);
  out += ",\"problems\":[";
  bool first = true;
  for (const std::uint32_t i : index.line_order()) {
    if (!first) out += ',';
    first = false;
    AppendProblemJson(out, run_id, index.problems()[i]);
  }
  out += "]}";
}

void AppendSectionsJson(std::string& out, std::string_view run_id, const RunIndex& index) {
  out += "{\"sections\":[";
  bool first = true;
  for (const Section& s : index.sections()) {
    if (!first) out += ',';
    first = false;
    AppendSectionJson(out, run_id, s);
  }
  out += "]}";
}

void AppendStatusMembers(std::string& out, const RunIndex& index) {
  out += "\"problems\":{\"errors\":";
  AppendNumber(out, index.counts().errors);
  out += ",\"warnings\":";
  AppendNumber(out, index.counts().warnings);
  out += "},\"progress\":";
  AppendProgress(out, index.progress(), {});
}

bool AppendIndexDelta(std::string& out, std::string_view run_id, const RunIndex& index,
                      IndexCursor& cursor) {
  if (cursor.sent && cursor.version == index.version()) return false;
  out += '{';
  AppendCounts(out, index);
  out += ",\"problems\":[";
  const auto& problems = index.problems();
  for (std::size_t i = cursor.problems; i < problems.size(); ++i) {
    if (i > cursor.problems) out += ',';
    AppendProblemJson(out, run_id, problems[i]);
  }
  out += "],\"sections\":[";
  bool first = true;
  const auto& sections = index.sections();
  for (std::size_t i = 0; i < sections.size(); ++i) {
    if (cursor.sent && sections[i].version <= cursor.version) continue;
    if (!first) out += ',';
    first = false;
    std::string section;
    AppendSectionJson(section, run_id, sections[i]);
    out += "{\"n\":";
    AppendNumber(out, i);
    out += ',';
    out.append(section, 1);  // its members after the brace
  }
  out += "],\"progress\":";
  AppendProgress(out, index.progress(), run_id);
  out += '}';
  cursor.sent = true;
  cursor.problems = problems.size();
  cursor.version = index.version();
  return true;
}

}  // namespace ssetail::index
