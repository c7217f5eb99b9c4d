// The temporary record's own line format (SPEC §8: only --save's format is a contract).
//
// A temporary record is never read by anything but this ssetail, so its lines are as short
// and as cheap to write as they can be while staying lines: for `seq`'s output about 12
// bytes a line where NDJSON takes 75, and no JSON escaping on the capture path.
//
//   TYPE END T_MS ' ' DATA '\n'   one event: TYPE is s/o/e/x (start, stdout, stderr, exit),
//                                 END n/r/p (newline, CR, partial), T_MS decimal, DATA the
//                                 event's data as the history holds it (no CR or LF)
//   '#' SEQ '\n'                  the next event is SEQ: the ids jump here
//
// An event's id is the one after the previous line's (SEQ after a jump line); a reader
// starts at a line whose id it knows (the start line, or a mark of the record's index).
// Pure functions; no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "events/event.hpp"

namespace ssetail::record::compact {

// Room WriteEvent (and a jump line before it) may take for `data_size` bytes of data.
constexpr std::size_t LineBound(std::size_t data_size) {
  return data_size + 48;
}

// Writes one event's line at `out`; returns the end of what it wrote.
char* WriteEvent(char* out, EventType type, SegmentEnd end, std::uint32_t t_ms,
                 std::string_view data);

// Writes a jump line: the next event is `seq`.
char* WriteJump(char* out, std::uint64_t seq);

// One line read back (without its newline): an event, or a jump to `seq`.
struct Line {
  bool jump = false;
  std::uint64_t seq = 0;  // a jump's target
  EventType type = EventType::Start;
  SegmentEnd end = SegmentEnd::Newline;
  std::uint32_t t_ms = 0;
  std::string_view data;  // points into the line
};
// Nothing when the line is not one of ours, or holds a NUL: a hole punched by --record-max
// (captured text never holds one).
std::optional<Line> Parse(std::string_view line);

}  // namespace ssetail::record::compact
