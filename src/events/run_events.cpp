#include "events/run_events.hpp"

#include <sys/wait.h>

#include <csignal>
#include <cstring>
#include <ctime>

#include "events/json.hpp"

namespace ssetail {

ExitStatus ExitStatus::FromWaitStatus(int wait_status) {
  if (WIFSIGNALED(wait_status)) return Killed(WTERMSIG(wait_status));
  return Exited(WEXITSTATUS(wait_status));
}

std::string SignalName(int signal) {
  const char* abbrev = sigabbrev_np(signal);  // glibc >= 2.32
  return abbrev != nullptr ? std::string("SIG") + abbrev : "SIG" + std::to_string(signal);
}

std::string CommandJson(const std::optional<std::vector<std::string>>& command) {
  if (!command) return "null";
  std::string out = "[";
  for (const auto& arg : *command) {
    if (out.size() > 1) out.push_back(',');
    json::AppendString(out, arg);
  }
  out.push_back(']');
  return out;
}

namespace {
void AppendStartFields(std::string& out, const RunStart& start) {
  out += "\"command\":" + CommandJson(start.command);
  out += ",\"pid\":" + (start.pid ? std::to_string(*start.pid) : std::string("null"));
  out += ",\"started\":" + json::Quote(start.started_iso);
  out += ",\"title\":" + json::Quote(start.title);
}
}  // namespace

std::string StartEventData(const RunStart& start) {
  std::string out = "{";
  AppendStartFields(out, start);
  out += "}";
  return out;
}

std::string StatusJson(std::optional<std::string_view> start_data, const RunProgress& progress) {
  std::string out = "{";
  if (start_data && start_data->size() > 2 && start_data->front() == '{' &&
      start_data->back() == '}') {
    out.append(start_data->substr(1, start_data->size() - 2));  // its members
    out += ",";
  }
  out += "\"state\":";
  out += progress.exit_data ? "\"exited\"" : progress.lost ? "\"lost\"" : "\"running\"";
  out += ",\"exit\":" + progress.exit_data.value_or("null");
  out += ",\"stdout_lines\":" + std::to_string(progress.stdout_lines);
  out += ",\"stderr_lines\":" + std::to_string(progress.stderr_lines);
  out += ",\"dropped\":" + std::to_string(progress.dropped);
  out += ",\"clients\":" + std::to_string(progress.clients);
  out += ",\"record\":" + progress.record;
  out += ",\"source_url\":";
  out += progress.source_url.empty() ? "null" : json::Quote(progress.source_url);
  out += ",\"source_roots\":[";
  for (std::size_t i = 0; i < progress.source_roots.size(); ++i) {
    if (i > 0) out += ",";
    out += json::Quote(progress.source_roots[i]);
  }
  out += "]";
  if (!progress.index_members.empty()) out += "," + progress.index_members;
  out += "}\n";
  return out;
}

std::string ExitEventData(const ExitStatus& status, std::int64_t duration_ms) {
  std::string out = "{\"code\":";
  out += status.code ? std::to_string(*status.code) : "null";
  out += ",\"signal\":";
  out += status.signal ? json::Quote(SignalName(*status.signal)) : "null";
  out += ",\"duration_ms\":" + std::to_string(duration_ms) + "}";
  return out;
}

std::string FormatIsoUtc(std::chrono::system_clock::time_point time) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[40];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out(buffer, n);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms % 1000));
  return out + millis;
}

}  // namespace ssetail
