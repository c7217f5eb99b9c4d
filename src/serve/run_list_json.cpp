#include "serve/run_list_json.hpp"

#include "events/json.hpp"

namespace ssetail {

namespace {

template <typename T>
std::string NumberOrNull(const std::optional<T>& value) {
  return value ? std::to_string(*value) : "null";
}

void AppendRun(std::string& out, const RunSummary& run) {
  // command and exit are JSON the catalog encoded itself: never a field's raw text.
  out += "{\"id\":";
  json::AppendString(out, run.id);
  out += ",\"title\":";
  json::AppendString(out, run.title);
  out += ",\"command\":" + run.command + ",\"started\":";
  json::AppendString(out, run.started);
  out += ",\"state\":";
  json::AppendString(out, run.state);
  out += ",\"exit\":" + run.exit;
  out += ",\"duration_ms\":" + NumberOrNull(run.duration_ms);
  out += ",\"errors\":" + NumberOrNull(run.errors);
  out += ",\"warnings\":" + NumberOrNull(run.warnings);
  out += ",\"first_error\":" + NumberOrNull(run.first_error);
  out += ",\"compare_with\":";
  if (run.compare_with) {
    json::AppendString(out, *run.compare_with);
  } else {
    out += "null";
  }
  out += ",\"url\":";
  json::AppendString(out, "runs/" + run.id + "/");
  out += '}';
}

}  // namespace

std::string RunListJson(const Result<std::vector<RunSummary>>& runs) {
  if (!runs) {
    std::string out = "{\"runs\":null,\"error\":";
    json::AppendString(out, runs.error());
    return out + "}";
  }
  std::string out = "{\"runs\":[";
  for (const RunSummary& run : *runs) {
    if (out.back() == '}') out += ',';
    AppendRun(out, run);
  }
  return out + "],\"error\":null}";
}

}  // namespace ssetail
