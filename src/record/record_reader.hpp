// Reads events back from the run record for one client, in the form it wants: an SSE
// stream (either flavour) or /log's plain text (SPEC §8 "Replay from disk").
//
// It keeps only its position; the bytes it reads go through a buffer the caller lends it
// (the stream pump has one for all its streams), so a client reading the record holds no
// more than what it has yet to send.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "record/record_line.hpp"
#include "record/run_record.hpp"

namespace ssetail {

class RecordReader {
 public:
  enum class Format { Sse, SseJson, LogText };

  explicit RecordReader(const RunRecord& record) : record_(record) {}

  struct Result {
    std::uint64_t next_seq = 0;  // the cursor after what was appended
    bool appended = false;       // false: the record holds nothing at or after the cursor
  };
  // Appends the events from `cursor` to at most `last_seq`, as much as one read of 64 KiB
  // holds and no more than about 64 KiB of output, to `out`: a `gap` first where the record
  // skips ids (--record-max, or events that left memory before the disk took them).
  Result Read(std::uint64_t cursor, std::uint64_t last_seq, Format format, std::string& out,
              std::string& scratch);

  // The same events one by one, whatever the record's format: `missed` counts the events
  // skipped just before this one (a gap). The sink returns false to stop after it. Its
  // views are valid during the call only.
  using EventSink = std::function<bool(std::uint64_t missed, const record::Line& line)>;
  Result ReadEvents(std::uint64_t cursor, std::uint64_t last_seq, std::string& scratch,
                    const EventSink& sink);

 private:
  std::optional<record::Line> Decode(std::string_view text, bool compact, std::uint64_t& line_seq,
                                     bool& hole);

  const RunRecord& record_;
  std::uint64_t next_seq_ = 0;       // the event at next_offset_, when known
  std::uint64_t next_offset_ = 0;    // where the line after the last one read starts
  std::uint64_t next_line_seq_ = 0;  // compact lines: the event of the line there
  std::string text_;                 // decoded texts
};

}  // namespace ssetail
