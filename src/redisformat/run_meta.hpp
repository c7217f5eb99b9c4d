// A run's meta hash (`PREFIX:run:RUN:meta`, SPEC §10, §12): title, command, started, state,
// exit, and the problem counts errors and warnings. The publisher writes it (MetaOfStart,
// and the fields below as they change); the relay reads it back for its lists and for a
// `start` rebuilt when Redis trimmed it. Pure (no hiredis): the fuzz target fuzz_redis_meta
// feeds DecodeRunMeta any hash.
//
// Every field read back is hostile input: the JSON ones (command, exit) are parsed and
// encoded anew, never spliced into an answer, the text ones repaired to UTF-8, the counts
// plain decimal numbers. What does not parse is `null` (command, exit), empty (state) or
// absent (counts): one bad run cannot break the list for all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ssetail {

struct RunMeta {
  std::string title;             // text (valid UTF-8)
  std::string started;           // text (valid UTF-8), ISO-8601 when ssetail wrote it
  std::string state;             // "running", "exited", or "" for anything else
  std::string command = "null";  // JSON: an array of strings, or null
  std::string exit = "null";     // JSON: {"code":N|null,"signal":S|null,"duration_ms":N}, or null
  std::optional<std::int64_t> exit_code;    // exit's code, when it has one
  std::optional<std::string> exit_signal;   // exit's signal ("SIGTERM"), when it has one
  std::optional<std::int64_t> duration_ms;  // exit's duration
  std::optional<std::uint64_t> errors;      // SPEC §12's counts, once the publisher wrote them
  std::optional<std::uint64_t> warnings;
  std::optional<std::uint64_t> first_error;  // the first error's line number; 0: none
};

// The hash as HGETALL gives it: name, value, name, value….
RunMeta DecodeRunMeta(const std::vector<std::string_view>& fields);

// The `start` event's data rebuilt from the meta (`pid` unknown: null), as ssetail writes it.
std::string StartDataFromMeta(const RunMeta& meta);

// What the publisher writes from the run's `start` data: the fields title, command and
// started, and the run's score in the index (the start in ms since the epoch; 0 when the
// start time does not parse).
struct StartMeta {
  std::string title;
  std::string command = "null";
  std::string started;
  std::int64_t score = 0;
};
StartMeta MetaOfStart(std::string_view start_data);

}  // namespace ssetail
