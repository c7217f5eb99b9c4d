#include "run_events.hpp"

#include <sys/wait.h>

#include <csignal>
#include <cstring>
#include <ctime>

#include "json.hpp"

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

std::string StartEventData(const std::optional<std::vector<std::string>>& command,
                           std::optional<long> pid, const std::string& started_iso,
                           const std::string& title) {
  std::string out = "{\"command\":" + CommandJson(command);
  out += ",\"pid\":" + (pid ? std::to_string(*pid) : std::string("null"));
  out += ",\"started\":" + json::Quote(started_iso);
  out += ",\"title\":" + json::Quote(title) + "}";
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
