// One line of a run record (SPEC §8): {"id":"RUN.SEQ","event":"TYPE","data":DATA}, where
// DATA is the event's data in the `?format=json` stream. Pure functions; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "events/event.hpp"

namespace ssetail::record {

// Appends one line, newline included. `json_data` is a JSON value without CR or LF: for
// output events sse::AppendJsonOutputData's object, for `start` and `exit` their data.
void AppendLine(std::string& out, std::string_view run_id, std::uint64_t seq, EventType type,
                std::string_view json_data);

// A record line read back. Its views point into the line, or (a text that had escapes or
// needed repair) into the caller's `text_buffer`.
struct Line {
  std::string_view run_id;
  std::uint64_t seq = 0;
  EventType type = EventType::Start;
  std::string_view data;  // the raw JSON of DATA
  // Output events only: the fields of DATA.
  std::string_view text;  // decoded; valid UTF-8 without CR or LF
  std::uint32_t t_ms = 0;
  SegmentEnd end = SegmentEnd::Newline;
};

// An output event's line written at `out`, its DATA encoded by sse::WriteJsonOutputData;
// `out` must have room for OutputLineBound(). Returns the end of what it wrote.
char* WriteOutputLine(char* out, std::string_view run_id, std::uint64_t seq, EventType type,
                      std::string_view text, std::uint32_t t_ms, SegmentEnd end);
constexpr std::size_t OutputLineBound(std::string_view run_id, std::size_t text_size) {
  return 64 + run_id.size() + 6 * text_size + 64;
}

// Parses one line (without its newline). A decoded text is appended to `text_buffer`:
// `text` is valid until that buffer next changes. Keys may come
// in any order and unknown ones are ignored; what would not survive the trip to a client
// (an unknown event, a text with a line break, DATA with a raw CR) is refused. Returns the
// line, or why not (a short reason).
// RUN must be a run id (IsRunId) and SEQ at most kMaxSeq; a key given twice is refused.
Result<Line> ParseLine(std::string_view line, std::string& text_buffer);

// An event given by its parts rather than as a line (a Redis entry's id and fields), with
// ParseLine's checks: `data` must be exactly one JSON value (nothing spliced after it).
// The views point into the arguments or `text_buffer`.
Result<Line> ParseEvent(std::string_view run_id, std::uint64_t seq, std::string_view event,
                        std::string_view data, std::string& text_buffer);

}  // namespace ssetail::record
