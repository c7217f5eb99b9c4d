// The `start` and `exit` events of a run, and how a child's end maps to ssetail's exit
// status (SPEC §1 "Exit status", §3). Pure.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ssetail {

// How the command ended: exactly one of code and signal is set.
struct ExitStatus {
  std::optional<int> code;
  std::optional<int> signal;

  static ExitStatus FromWaitStatus(int wait_status);
  static ExitStatus Exited(int code) { return {code, std::nullopt}; }
  static ExitStatus Killed(int signal) { return {std::nullopt, signal}; }

  // The convention of env(1) and timeout(1): the code, or 128 + the signal number.
  int ShellCode() const { return code ? *code : 128 + signal.value_or(0); }
};

// "SIGTERM" for 15; "SIG42" for numbers without a name.
std::string SignalName(int signal);

// The command line and the pid are null in stdin mode.
std::string StartEventData(const std::optional<std::vector<std::string>>& command,
                           std::optional<long> pid, const std::string& started_iso,
                           const std::string& title);

std::string ExitEventData(const ExitStatus& status, std::int64_t duration_ms);

// "2026-11-23T21:53:44.123Z"
std::string FormatIsoUtc(std::chrono::system_clock::time_point time);

// The JSON array of a command line, or null.
std::string CommandJson(const std::optional<std::vector<std::string>>& command);

}  // namespace ssetail
