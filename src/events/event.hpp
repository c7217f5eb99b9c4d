// The vocabulary shared by capture, history and the wire format.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ssetail {

enum class EventType : std::uint8_t { Start, Stdout, Stderr, Exit, Gap };

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
