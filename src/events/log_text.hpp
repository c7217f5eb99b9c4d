// The plain text of GET /log: what a terminal would have shown.
#pragma once

#include <string>
#include <string_view>

#include "events/event.hpp"

namespace ssetail {

// Appends one event's text: lines end with LF, overwritten segments with CR (as a terminal
// shows them), partial ones with nothing. Events other than output add nothing.
inline void AppendLogText(EventType type, std::string_view text, SegmentEnd end, std::string& out) {
  if (!IsOutput(type)) return;
  out.append(text);
  if (end == SegmentEnd::Newline) out.push_back('\n');
  if (end == SegmentEnd::CarriageReturn) out.push_back('\r');
}

}  // namespace ssetail
