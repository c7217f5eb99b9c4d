#include "record/record_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "events/log_text.hpp"
#include "events/sse_format.hpp"
#include "record/record_line.hpp"

namespace ssetail {

namespace {

constexpr std::size_t kReadBytes = 64 << 10;

void AppendEventAs(RecordReader::Format format, const record::Line& line, std::string& out) {
  switch (format) {
    case RecordReader::Format::LogText:
      AppendLogText(line.type, line.text, line.end, out);
      return;
    case RecordReader::Format::Sse:
    case RecordReader::Format::SseJson: {
      char id[64];
      char* p = id;
      p = std::copy_n("id: ", 4, p);
      const std::size_t run = std::min(line.run_id.size(), sizeof id - 30);
      p = std::copy_n(line.run_id.data(), run, p);
      *p++ = '.';
      p = std::to_chars(p, id + sizeof id, line.seq).ptr;
      const bool text = format == RecordReader::Format::Sse && IsOutput(line.type);
      sse::AppendEvent(out, std::string_view(id, static_cast<std::size_t>(p - id)), line.type,
                       text ? line.text : line.data);
      return;
    }
  }
}

}  // namespace

RecordReader::Result RecordReader::Read(std::uint64_t cursor, std::uint64_t last_seq, Format format,
                                        std::string& out, std::string& scratch) {
  Result result{cursor, false};
  const auto position = record_.Find(cursor);
  if (!position) return result;
  std::uint64_t offset = position->offset;
  std::uint64_t missed = position->missed;
  std::uint64_t expected = cursor + missed;  // the first event wanted from the file
  if (cursor == next_seq_ && missed == 0 && next_offset_ >= position->offset &&
      next_offset_ < position->end) {
    offset = next_offset_;  // where the last read stopped: no need to skip lines again
  }
  last_seq = std::min(last_seq, position->last_seq);
  if (scratch.size() < kReadBytes) scratch.resize(kReadBytes);
  for (;;) {
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(scratch.size(), position->end - offset));
    if (want == 0) break;
    const ssize_t got = ::pread(record_.fd(), scratch.data(), want, static_cast<off_t>(offset));
    if (got <= 0) break;  // an I/O error reading back: nothing more from the record
    const std::string_view bytes(scratch.data(), static_cast<std::size_t>(got));
    std::size_t at = 0;
    bool done = false;
    while (!done) {
      const std::size_t newline = bytes.find('\n', at);
      if (newline == std::string_view::npos) break;
      const std::string_view text = bytes.substr(at, newline - at);
      text_.clear();
      const auto line = record::ParseLine(text, text_);
      // A line that does not parse was zeroed by --record-max while we read: skip it.
      if (line && line->seq >= expected) {
        if (line->seq > last_seq) {
          done = true;
          break;
        }
        if (line->seq > expected && format != Format::LogText) {
          missed += line->seq - expected;
        }
        if (missed > 0 && format != Format::LogText) sse::AppendGap(out, missed);
        missed = 0;
        AppendEventAs(format, *line, out);
        expected = line->seq + 1;
        result.appended = true;
        if (line->seq == last_seq) done = true;
      }
      at = newline + 1;
      next_offset_ = offset + at;
      next_seq_ = expected;
    }
    if (result.appended || at == 0) {
      // Appended something, or a line longer than the buffer: read it whole next time.
      if (!result.appended && scratch.size() < (16u << 20)) {
        scratch.resize(scratch.size() * 2);
        continue;
      }
      break;
    }
    offset += at;  // only skipped lines so far (before the cursor): read on
  }
  result.next_seq = expected;
  return result;
}

}  // namespace ssetail
