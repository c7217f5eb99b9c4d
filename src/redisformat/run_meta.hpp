// A run's meta hash (SPEC §10: `PREFIX:run:RUN:meta` with title, command, started, state,
// exit) read back for the relay's lists and for a `start` rebuilt when Redis trimmed it.
// Pure (no hiredis): the fuzz target fuzz_redis_meta feeds it any hash.
//
// Every field is hostile input: the JSON ones (command, exit) are parsed and encoded anew,
// never spliced into an answer, and the text ones repaired to UTF-8. What does not parse is
// `null` (command, exit) or empty (state): one bad run cannot break the list for all.
#pragma once

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
};

// The hash as HGETALL gives it: name, value, name, value….
RunMeta DecodeRunMeta(const std::vector<std::string_view>& fields);

// The `start` event's data rebuilt from the meta (`pid` unknown: null), as ssetail writes it.
std::string StartDataFromMeta(const RunMeta& meta);

}  // namespace ssetail
