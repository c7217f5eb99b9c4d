// What two runs' lines are compared as (SPEC §14): the printable text with what differs
// from one run to the next on every line anyway (times, durations, addresses, temporary
// paths, UUIDs, pids, progress counters) replaced by placeholders. Pure.
//
// Hand-written scanning rather than a regex per line: it runs on every line of both runs
// (2,000,000 lines for two 1 M-line runs) and only looks further at the few bytes where a
// pattern can start; bench/compare_bench.cpp measures it against one RE2 pass (docs/compare.md).
#pragma once

#include <string>
#include <string_view>

namespace ssetail::compare {

// The placeholders, as they appear in a normalised line.
inline constexpr std::string_view kTimePlaceholder = "<time>";
inline constexpr std::string_view kDurationPlaceholder = "<duration>";
inline constexpr std::string_view kAddressPlaceholder = "<addr>";
inline constexpr std::string_view kTempPlaceholder = "<tmp>";
inline constexpr std::string_view kUuidPlaceholder = "<uuid>";
inline constexpr std::string_view kPidPlaceholder = "<pid>";
inline constexpr std::string_view kProgressPlaceholder = "<progress>";

// `raw` (a line's text, UTF-8) without escape sequences and controls (text::Printable), then:
// ISO-8601 dates and date-times (also `2024/01/15 10:23:45`) and clock times `10:23:45[.123]`
// -> <time>; durations `0.03s`, `12 ms`, `1m2.5s`, `12.3 sec`, `2 minutes` -> <duration>;
// `0x` and 4 or more hex digits -> <addr>; the first component under /tmp/, /var/tmp/ or
// /dev/shm/ -> <tmp> (what is below it is kept); 8-4-4-4-12 hex UUIDs -> <uuid>; a bracketed
// number of 3 to 7 digits `[1234]` and the number after `pid` -> <pid>; `[12/345]` and
// `[ 45%]` -> [<progress>]. Every pattern must start and end at a word boundary, so
// `file.c:12:34:` (a line and column) and `x86_64` stay.
std::string Normalize(std::string_view raw);

// The same, into `out` (cleared first): lets a caller reuse one buffer for every line.
void NormalizeInto(std::string_view raw, std::string& out);

}  // namespace ssetail::compare
