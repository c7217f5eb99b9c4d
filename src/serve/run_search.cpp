#include "serve/run_search.hpp"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "record/record_reader.hpp"
#include "search/text_search.hpp"
#include "text/printable.hpp"

namespace ssetail {

namespace {

// Past any of these the answer ends with "complete":false.
constexpr std::size_t kMaxMatches = 10000;
constexpr std::size_t kMaxBytes = 32 << 20;  // of the answer
constexpr std::chrono::seconds kTimeLimit{10};
constexpr std::size_t kPieceBytes = 64 << 10;       // of the answer before it is sent
constexpr unsigned kEventsBetweenClockLooks = 256;  // the time bound is checked inside a piece

// One /search request: where it is in the run, and what it found.
struct Searching {
  Searching(const History& h, const RunRecord* r, std::string_view query, bool regex,
            bool match_case)
      : history(h), record(r), matcher(query, regex, match_case) {}

  const History& history;
  const RunRecord* record;
  search::Matcher matcher;
  std::unique_ptr<RecordReader> reader;
  std::string scratch;  // the reader's window
  std::chrono::steady_clock::time_point deadline;
  std::uint64_t end_seq = 0;  // the last event published when the request came
  std::uint64_t cursor = 1;   // the next event wanted
  bool in_record = false;
  std::uint64_t matches = 0;
  std::uint64_t unsearched = 0;  // events neither the record nor memory holds any more
  std::size_t bytes = 0;
  bool stopped = false;  // a bound was reached
  bool finished = false;
  std::vector<search::Range> ranges;
  unsigned since_clock = 0;

  // Matches one event's text; false once a bound is reached.
  bool Take(std::uint64_t seq, EventType type, std::string_view text, std::string& out) {
    if (++since_clock >= kEventsBetweenClockLooks) {
      since_clock = 0;
      if (std::chrono::steady_clock::now() >= deadline) {
        stopped = true;
        return false;
      }
    }
    const std::string printable = text::Printable(text);
    ranges.clear();
    if (!matcher.Find(printable, ranges)) return true;
    if (matches >= kMaxMatches || bytes >= kMaxBytes) {
      stopped = true;
      return false;
    }
    const std::size_t before = out.size();
    search::AppendMatchLine(out, history.run_id(), seq, type, printable, ranges);
    bytes += out.size() - before;
    ++matches;
    return true;
  }

  // One read of the record (a window of it, whatever its line format).
  void RecordPiece(std::string& out) {
    if (!reader) reader = std::make_unique<RecordReader>(*record);
    const RecordReader::Result read = reader->ReadEvents(
        cursor, end_seq, scratch, [&](std::uint64_t missed, const record::Line& line) {
          unsearched += missed;
          cursor = line.seq + 1;
          if (!IsOutput(line.type)) return true;
          return Take(line.seq, line.type, line.text, out) && out.size() < kPieceBytes;
        });
    if (!read.appended) {
      in_record = false;  // memory has the rest, if anything
    } else {
      cursor = std::max(cursor, read.next_seq);
    }
  }

  // One slice of the memory history.
  void MemoryPiece(std::string& out) {
    const History::Slice slice = history.Read(cursor);
    if (slice.status != History::ReadStatus::Events) {
      cursor = end_seq + 1;
      return;
    }
    unsearched += slice.missed;
    for (const EventView& event : slice) {
      if (event.seq > end_seq) break;
      cursor = event.seq + 1;
      if (IsOutput(event.type) && !Take(event.seq, event.type, event.data, out)) return;
    }
    cursor = std::max(cursor, std::min(slice.next_seq, end_seq + 1));
  }
};

}  // namespace

void ServeSearch(const History& history, const RunRecord* record, StreamSlots& slots,
                 const httplib::Request& req, httplib::Response& res) {
  auto searching = std::make_shared<Searching>(history, record, req.get_param_value("q"),
                                               req.get_param_value("regex") == "1",
                                               req.get_param_value("case") == "1");
  res.set_header("Cache-Control", "no-cache");
  if (!searching->matcher.error().empty()) {
    res.status = 400;
    res.set_content("bad pattern: " + searching->matcher.error() + "\n",
                    "text/plain; charset=utf-8");
    return;
  }
  if (!slots.TryAcquireSearch()) {
    res.status = 503;
    res.set_header("Retry-After", "2");
    res.set_content("too many searches under way; retry later\n", "text/plain; charset=utf-8");
    return;
  }
  searching->deadline = std::chrono::steady_clock::now() + kTimeLimit;
  searching->end_seq = history.Stats().last_seq;
  searching->in_record = record != nullptr && record->Find(1).has_value();
  // Not compressed by httplib (it compresses text/* and a few others): each piece goes out
  // as it is found.
  res.set_chunked_content_provider(
      "application/x-ndjson",
      [searching](std::size_t, httplib::DataSink& sink) {
        Searching& s = *searching;
        std::string out;
        while (out.empty() && !s.finished) {
          if (s.stopped || std::chrono::steady_clock::now() >= s.deadline) {
            s.stopped = true;
          } else if (s.in_record && s.cursor <= s.end_seq) {
            s.RecordPiece(out);
            continue;
          } else if (s.cursor <= s.end_seq) {
            s.MemoryPiece(out);
            continue;
          }
          out += "{\"matches\":" + std::to_string(s.matches) +
                 ",\"complete\":" + (s.stopped ? "false" : "true") +
                 ",\"unsearched\":" + std::to_string(s.unsearched) + "}\n";
          s.finished = true;
        }
        if (!out.empty() && !sink.write(out.data(), out.size())) return false;
        if (s.finished) sink.done();
        return true;
      },
      [&slots](bool) { slots.ReleaseSearch(); });  // answered, or its client went away
}

}  // namespace ssetail
