#include "record/record_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <utility>

#include "events/log_text.hpp"
#include "events/sse_format.hpp"
#include "record/compact_line.hpp"
#include "record/record_line.hpp"

namespace ssetail {

namespace {

constexpr std::size_t kReadBytes = 64 << 10;
constexpr std::size_t kLongestLine = 16 << 20;

void AppendEventAs(RecordReader::Format format, const record::Line& line, std::string& out) {
  switch (format) {
    case RecordReader::Format::LogText:
      AppendLogText(line.type, line.text, line.end, out);
      return;
    case RecordReader::Format::Sse:
    case RecordReader::Format::SseJson: {
      // "id: RUN.SEQ", the run id whole: a run id is at most kMaxRunIdSize (checked where
      // it enters), so this never allocates; a longer one would be formatted apart.
      char id[4 + kMaxRunIdSize + 1 + 20];
      std::string long_id;
      std::string_view id_line;
      if (line.run_id.size() <= kMaxRunIdSize) {
        char* p = std::copy_n("id: ", 4, id);
        p = std::copy_n(line.run_id.data(), line.run_id.size(), p);
        *p++ = '.';
        p = std::to_chars(p, id + sizeof id, line.seq).ptr;
        id_line = std::string_view(id, static_cast<std::size_t>(p - id));
      } else {
        long_id = "id: " + std::string(line.run_id) + "." + std::to_string(line.seq);
        id_line = long_id;
      }
      if (format == RecordReader::Format::Sse && IsOutput(line.type)) {
        sse::AppendEvent(out, id_line, line.type, line.text);
      } else if (IsOutput(line.type) && line.data.empty()) {
        // A compact line holds the text only: its JSON is made here, for this stream.
        sse::AppendJsonOutputEvent(out, line.run_id, line.seq, line.type, line.text, line.t_ms,
                                   line.end);
      } else {
        sse::AppendEvent(out, id_line, line.type, line.data);
      }
      return;
    }
  }
}

// A compact line as a record::Line of event `seq`: output events get their text (and no
// JSON `data`), start and exit their JSON data.
record::Line FromCompact(const record::compact::Line& compact, std::string_view run_id,
                         std::uint64_t seq) {
  record::Line line;
  line.run_id = run_id;
  line.seq = seq;
  line.type = compact.type;
  line.t_ms = compact.t_ms;
  line.end = compact.end;
  if (IsOutput(compact.type)) {
    line.text = compact.data;
  } else {
    line.data = compact.data;
  }
  return line;
}

}  // namespace

// One line of the file as an event; nothing for a compact jump (it sets `line_seq`) and for
// what does not parse: in NDJSON a line --record-max zeroed while we read (skipped), in the
// compact format a hole (`hole` set: only the index can say what follows).
std::optional<record::Line> RecordReader::Decode(std::string_view text, bool compact,
                                                 std::uint64_t& line_seq, bool& hole) {
  if (compact) {
    const auto parsed = record::compact::Parse(text);
    if (!parsed) {
      hole = true;
      return std::nullopt;
    }
    if (parsed->jump) {
      line_seq = parsed->seq;
      return std::nullopt;
    }
    return FromCompact(*parsed, record_.run_id(), line_seq++);
  }
  // A hole punched by --record-max (NUL bytes) ends where a kept line starts.
  text.remove_prefix(std::min(text.find_first_not_of('\0'), text.size()));
  text_.clear();
  auto parsed = record::ParseLine(text, text_);
  if (!parsed) return std::nullopt;
  return *parsed;
}

RecordReader::Result RecordReader::Read(std::uint64_t cursor, std::uint64_t last_seq, Format format,
                                        std::string& out, std::string& scratch) {
  const std::size_t out_start = out.size();
  return ReadEvents(cursor, last_seq, scratch, [&](std::uint64_t missed, const record::Line& line) {
    if (missed > 0 && format != Format::LogText) sse::AppendGap(out, missed);
    AppendEventAs(format, line, out);
    // At most about one window of output too: compact lines grow several times over as
    // SSE, and what a stream holds is what it has yet to send.
    return out.size() - out_start < kReadBytes;
  });
}

RecordReader::Result RecordReader::ReadEvents(std::uint64_t cursor, std::uint64_t last_seq,
                                              std::string& scratch, const EventSink& sink) {
  Result result{cursor, false};
  auto position = record_.Find(cursor);
  if (!position) return result;
  const bool compact = !record_.holds_json();
  std::uint64_t offset = position->offset;
  std::uint64_t line_seq = position->seq;  // compact lines: the event of the line at `offset`
  std::uint64_t missed = position->missed;
  std::uint64_t expected = cursor + missed;  // the first event wanted from the file
  if (cursor == next_seq_ && missed == 0 && next_offset_ >= position->offset &&
      next_offset_ < position->end) {
    offset = next_offset_;  // where the last read stopped: no need to skip lines again
    line_seq = next_line_seq_;
  }
  last_seq = std::min(last_seq, position->last_seq);
  // One window of the file per call, so what a client is handed is bounded; wider only for
  // a single line longer than it (a --view of hand-made long lines).
  std::size_t window = kReadBytes;
  int refinds = 0;
  for (;;) {
    const auto want =
        static_cast<std::size_t>(std::min<std::uint64_t>(window, position->end - offset));
    if (want == 0) break;
    if (scratch.size() < want) scratch.resize(want);
    const ssize_t got = ::pread(record_.fd(), scratch.data(), want, static_cast<off_t>(offset));
    if (got <= 0) break;  // an I/O error reading back: nothing more from the record
    const std::string_view bytes(scratch.data(), static_cast<std::size_t>(got));
    std::size_t at = 0;
    bool done = false;
    bool hole = false;  // compact: a hole, which only the index can say what follows
    while (!done) {
      const std::size_t newline = bytes.find('\n', at);
      if (newline == std::string_view::npos) break;
      const std::optional<record::Line> line =
          Decode(bytes.substr(at, newline - at), compact, line_seq, hole);
      if (hole) break;
      if (line && line->seq >= expected) {
        if (line->seq > last_seq) {
          done = true;
          break;
        }
        missed += line->seq - expected;
        const bool more = sink(std::exchange(missed, 0), *line);
        expected = line->seq + 1;
        result.appended = true;
        if (line->seq == last_seq || !more) done = true;
      }
      at = newline + 1;
      next_offset_ = offset + at;
      next_line_seq_ = line_seq;
      next_seq_ = expected;
    }
    if (result.appended || done) break;
    if (hole || (at == 0 && !bytes.empty() && bytes.front() == '\0')) {
      // --record-max punched a hole here since we looked: look again (a gap follows).
      if (++refinds > 2 || !(position = record_.Find(expected))) break;
      offset = position->offset;
      line_seq = position->seq;
      missed += position->missed;
      expected += position->missed;
      last_seq = std::min(last_seq, position->last_seq);
      continue;
    }
    if (at == 0) {
      if (window >= kLongestLine) break;
      window *= 2;
      continue;
    }
    offset += at;  // only skipped lines so far (before the cursor): read on
  }
  // A buffer grown for a long line goes back to its usual size.
  if (scratch.size() > kReadBytes) std::string().swap(scratch);
  result.next_seq = expected;
  return result;
}

}  // namespace ssetail
