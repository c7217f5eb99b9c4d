// The SSE wire format of SPEC §3-§4. Pure functions; no I/O.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "events/event.hpp"

namespace ssetail::sse {

// Upper bound of the bytes EncodeEventWithId writes for an IdLine of `run_id`.
constexpr std::size_t EncodedSizeBound(std::string_view run_id, std::size_t data_size) {
  // "id: " RUN "." SEQ(<=20) "\nevent: " TYPE(<=6) "\ndata: " DATA "\n\n"
  return 4 + run_id.size() + 1 + 20 + 8 + 6 + 7 + data_size + 2;
}

// "\nevent: TYPE\ndata: ": what follows the id line.
constexpr std::string_view EventLinePrefix(EventType type) {
  return detail::kEventTypes[static_cast<std::size_t>(type)].line_prefix;
}

struct Encoded {
  std::size_t size;         // bytes written
  std::size_t data_offset;  // where DATA starts within them
};

// Writes `ID_LINE` ("id: RUN.SEQ", or nothing for an event without id), `event: TYPE` and
// one `data:` line, then the blank line, to `out`, which must have room for
// EncodedSizeBound(). `data` must hold no CR or LF.
inline Encoded EncodeEventWithId(char* out, std::string_view id_line, EventType type,
                                 std::string_view data) {
  // Hot path (one call per captured line): a few memcpy, no per-byte loop.
  char* p = out;
  auto put = [&p](std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  };
  put(id_line);
  // The prefix starts with the newline that ends the id line; no id line, no newline.
  put(id_line.empty() ? EventLinePrefix(type).substr(1) : EventLinePrefix(type));
  const auto data_offset = static_cast<std::size_t>(p - out);
  put(data);
  *p++ = '\n';
  *p++ = '\n';
  return {static_cast<std::size_t>(p - out), data_offset};
}

// The same, appended to a string.
void AppendEvent(std::string& out, std::string_view id_line, EventType type, std::string_view data);

// "id: RUN.SEQ" kept as text and counted up in place: cheaper than formatting SEQ anew
// for every event.
class IdLine {
 public:
  explicit IdLine(std::string_view run_id) : text_("id: " + std::string(run_id) + ".0") {}
  std::string_view text() const { return text_; }
  // Makes the line say SEQ.
  void Set(std::uint64_t seq) {
    text_.erase(text_.rfind('.') + 1);
    text_ += std::to_string(seq);
  }
  void Increment() {
    for (std::size_t i = text_.size() - 1;; --i) {
      if (text_[i] == '.') {
        text_.insert(i + 1, 1, '1');
        return;
      }
      if (text_[i] != '9') {
        ++text_[i];
        return;
      }
      text_[i] = '0';
    }
  }

 private:
  std::string text_;
};

// The `data` of an output event in the `?format=json` flavour: {"text":..,"t":..} with
// "cr" or "partial" when so. The one encoder of it: the record's lines use it too.
void AppendJsonOutputData(std::string& out, std::string_view text, std::uint32_t t_ms,
                          SegmentEnd end);
// The same written at `out`, which must have room for JsonOutputDataBound(text.size()).
char* WriteJsonOutputData(char* out, std::string_view text, std::uint32_t t_ms, SegmentEnd end);
constexpr std::size_t JsonOutputDataBound(std::size_t text_size) {
  return 2 * text_size * 3 + 64;  // escapes take at most 6 bytes each
}

// A whole event in the `?format=json` flavour.
void AppendJsonOutputEvent(std::string& out, std::string_view run_id, std::uint64_t seq,
                           EventType type, std::string_view text, std::uint32_t t_ms,
                           SegmentEnd end);

// `event: gap` with {"missed":N}. It carries no id, so the client's Last-Event-ID stays
// the last event it really received.
void AppendGap(std::string& out, std::uint64_t missed);

// The first bytes of every stream: a reconnect delay and a comment, so that browsers and
// proxies see the response before the first event.
inline constexpr std::string_view kStreamPreamble = "retry: 2000\n: ssetail\n\n";
inline constexpr std::string_view kHeartbeat = ": ping\n\n";

// A parsed Last-Event-ID: "RUN.SEQ", SEQ decimal digits worth at most kMaxSeq (a larger one
// is no id of any run: nothing).
struct EventId {
  std::string run;
  std::uint64_t seq = 0;
};
std::optional<EventId> ParseEventId(std::string_view text);

}  // namespace ssetail::sse
