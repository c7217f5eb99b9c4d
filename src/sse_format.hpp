// The SSE wire format of SPEC §3-§4. Pure functions; no I/O.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "event.hpp"

namespace ssetail::sse {

// Upper bound of the bytes EncodeEvent writes.
constexpr std::size_t EncodedSizeBound(std::string_view run_id, std::size_t data_size) {
  // "id: " RUN "." SEQ(<=20) "\nevent: " TYPE(<=6) "\ndata: " DATA "\n\n"
  return 4 + run_id.size() + 1 + 20 + 8 + 6 + 7 + data_size + 2;
}

struct Encoded {
  std::size_t size;         // bytes written
  std::size_t data_offset;  // where DATA starts within them
};

// Writes `id: RUN.SEQ`, `event: TYPE` and one `data:` line, then the blank line, to `out`,
// which must have room for EncodedSizeBound(). `data` must hold no CR or LF.
inline Encoded EncodeEvent(char* out, std::string_view run_id, std::uint64_t seq, EventType type,
                           std::string_view data) {
  char* p = out;
  auto put = [&p](std::string_view s) {
    for (char c : s) *p++ = c;
  };
  put("id: ");
  put(run_id);
  *p++ = '.';
  p = std::to_chars(p, p + 20, seq).ptr;
  put("\nevent: ");
  put(EventTypeName(type));
  put("\ndata: ");
  const auto data_offset = static_cast<std::size_t>(p - out);
  put(data);
  put("\n\n");
  return {static_cast<std::size_t>(p - out), data_offset};
}

// The `data` of an output event in the `?format=json` flavour.
void AppendJsonOutputData(std::string& out, std::string_view text, std::uint32_t t_ms,
                          SegmentEnd end);

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

// A parsed Last-Event-ID: "RUN.SEQ".
struct EventId {
  std::string run;
  std::uint64_t seq = 0;
};
std::optional<EventId> ParseEventId(std::string_view text);

}  // namespace ssetail::sse
