// One run as a relay's lists show it (GET / and GET /runs, SPEC §10, §13): what a CI front
// page needs to draw its row. Pure data, made by the catalog, written by serve/.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ssetail {

struct RunSummary {
  std::string id;
  std::string title;             // text (valid UTF-8)
  std::string command = "null";  // JSON: an array of strings, or null
  std::string started;           // ISO-8601 UTC, as published
  std::int64_t started_ms = 0;   // the same in ms since the epoch (0: unknown)
  std::string state;             // "running", "exited" or "lost"
  std::string exit = "null";     // JSON: the exit event's object, or null
  std::optional<std::int64_t> exit_code;
  std::optional<std::string> exit_signal;   // "SIGTERM", when a signal ended it
  std::optional<std::int64_t> duration_ms;  // exited: the run's; running: so far; lost: none
  std::optional<std::uint64_t> errors;      // SPEC §12's counts, once published
  std::optional<std::uint64_t> warnings;
  std::optional<std::uint64_t> first_error;  // its line number (`#LN` on the run's page)
  std::optional<std::string> compare_with;   // SPEC §14's default run to compare with
};

// Sets each run's compare_with: the newest run of the same title that exited with code 0
// and started before it, among `runs`; nothing when there is none.
void FillCompareWith(std::vector<RunSummary>& runs);

}  // namespace ssetail
