// The `start` and `exit` events of a run, and how a child's end maps to ssetail's exit
// status (SPEC §1 "Exit status", §3). Pure.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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

// What the `start` event says about a run. The command line and the pid are absent in
// stdin mode.
struct RunStart {
  std::optional<std::vector<std::string>> command;
  std::optional<long> pid;
  std::string started_iso;
  std::string title;
};

std::string StartEventData(const RunStart& start);

// How far a run has come, for /status.
struct RunProgress {
  std::optional<std::string> exit_data;  // the `exit` event's data once it exists
  bool lost = false;  // it ended without `exit` (a relayed run whose publisher is gone)
  std::uint64_t stdout_lines = 0;
  std::uint64_t stderr_lines = 0;
  std::uint64_t dropped = 0;              // events no longer in the memory history
  std::size_t clients = 0;                // open event streams
  std::string record = "null";            // the JSON object of the run record (SPEC §8)
  std::string source_url;                 // --source-url's template; empty: none (null)
  std::vector<std::string> source_roots;  // --source-root: stripped from absolute paths
  // The run index's members (SPEC §12: "problems", "progress"), JSON members to splice in;
  // empty where nothing indexes the run.
  std::string index_members;
};

// The body of GET /status (SPEC §4): the start event's fields (`start_data`, its data, a
// JSON object), then the state (running, exited, or lost: SPEC §15), the exit event's data
// (or null), the counts and the record.
// Before the run has started there is no start event and only the live fields are written.
std::string StatusJson(std::optional<std::string_view> start_data, const RunProgress& progress);

std::string ExitEventData(const ExitStatus& status, std::int64_t duration_ms);

// "2026-11-23T21:53:44.123Z"
std::string FormatIsoUtc(std::chrono::system_clock::time_point time);

// The JSON array of a command line, or null.
std::string CommandJson(const std::optional<std::vector<std::string>>& command);

}  // namespace ssetail
