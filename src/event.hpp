// The vocabulary shared by capture, history and the wire format.
#pragma once

#include <cstdint>
#include <string_view>

namespace ssetail {

enum class EventType : std::uint8_t { Start, Stdout, Stderr, Exit, Gap };

constexpr std::string_view EventTypeName(EventType type) {
  switch (type) {
    case EventType::Start:
      return "start";
    case EventType::Stdout:
      return "stdout";
    case EventType::Stderr:
      return "stderr";
    case EventType::Exit:
      return "exit";
    case EventType::Gap:
      return "gap";
  }
  return "?";
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
