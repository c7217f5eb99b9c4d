// The vocabulary shared by capture, history and the wire format.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ssetail {

enum class EventType : std::uint8_t { Start, Stdout, Stderr, Exit, Gap };

// The largest SEQ of an event id (docs/spec.md "Events"): 2^53, so a JavaScript reader of
// the JSON keeps every id exact, and SEQ + 1 (and any sum of two SEQs) never wraps around.
// Every id that comes from outside (a record line, a Redis entry, Last-Event-ID) past it is
// refused where it enters; ids ssetail counts itself would take centuries to reach it.
inline constexpr std::uint64_t kMaxSeq = std::uint64_t{1} << 53;

// The RUN part of an event id: 1 to kMaxRunIdSize of [A-Za-z0-9_-] (ssetail's own are 8 of
// [0-9a-z]). A run id from outside (a record, a relay's URL) is checked with IsRunId where it
// enters; past that, it is kept whole and needs no escaping anywhere (JSON, URLs, HTML).
inline constexpr std::size_t kMaxRunIdSize = 64;

constexpr bool IsRunId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRunIdSize) return false;
  for (char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace detail {
// One row per EventType, in its order: the name, and what follows the id line on the wire
// ("\nevent: NAME\ndata: "), kept as one constant so the encoder copies it in one go.
struct EventTypeInfo {
  std::string_view name;
  std::string_view line_prefix;
};
inline constexpr std::array<EventTypeInfo, 5> kEventTypes{{
    {"start", "\nevent: start\ndata: "},
    {"stdout", "\nevent: stdout\ndata: "},
    {"stderr", "\nevent: stderr\ndata: "},
    {"exit", "\nevent: exit\ndata: "},
    {"gap", "\nevent: gap\ndata: "},
}};
}  // namespace detail

constexpr std::string_view EventTypeName(EventType type) {
  return detail::kEventTypes[static_cast<std::size_t>(type)].name;
}

constexpr bool IsOutput(EventType type) {
  return type == EventType::Stdout || type == EventType::Stderr;
}

// How a captured segment ended (SPEC §2.1). Only output events carry one.
enum class SegmentEnd : std::uint8_t {
  Newline,         // "\n" or "\r\n": a complete line
  CarriageReturn,  // a lone "\r": the next segment of the stream overwrites this one
  Partial,         // no terminator yet (idle, EOF or 64 KiB): the next segment continues it
};

}  // namespace ssetail
