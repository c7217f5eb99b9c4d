#include "record/compact_line.hpp"

#include <charconv>
#include <cstring>

namespace ssetail::record::compact {

namespace {

char TypeLetter(EventType type) {
  switch (type) {
    case EventType::Start:
      return 's';
    case EventType::Stdout:
      return 'o';
    case EventType::Stderr:
      return 'e';
    case EventType::Exit:
      return 'x';
    case EventType::Gap:
      break;
  }
  return 'g';  // never recorded: a gap is what a reader makes of a jump
}

char EndLetter(SegmentEnd end) {
  switch (end) {
    case SegmentEnd::CarriageReturn:
      return 'r';
    case SegmentEnd::Partial:
      return 'p';
    case SegmentEnd::Newline:
      break;
  }
  return 'n';
}

}  // namespace

char* WriteEvent(char* out, EventType type, SegmentEnd end, std::uint32_t t_ms,
                 std::string_view data) {
  *out++ = TypeLetter(type);
  *out++ = EndLetter(end);
  out = std::to_chars(out, out + 10, t_ms).ptr;
  *out++ = ' ';
  std::memcpy(out, data.data(), data.size());
  out += data.size();
  *out++ = '\n';
  return out;
}

char* WriteJump(char* out, std::uint64_t seq) {
  *out++ = '#';
  out = std::to_chars(out, out + 20, seq).ptr;
  *out++ = '\n';
  return out;
}

std::optional<Line> Parse(std::string_view text) {
  // Captured text never holds NUL (it becomes U+FFFD): a NUL is a hole punched by
  // --record-max, maybe reaching into the line while it was read.
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  Line line;
  if (text.size() >= 2 && text.front() == '#') {
    const auto [end, error] = std::from_chars(text.data() + 1, text.data() + text.size(), line.seq);
    if (error != std::errc() || end != text.data() + text.size() || line.seq == 0 ||
        line.seq > kMaxSeq) {
      return std::nullopt;
    }
    line.jump = true;
    return line;
  }
  if (text.size() < 4) return std::nullopt;  // TYPE END T_MS ' ' at least
  switch (text[0]) {
    case 's':
      line.type = EventType::Start;
      break;
    case 'o':
      line.type = EventType::Stdout;
      break;
    case 'e':
      line.type = EventType::Stderr;
      break;
    case 'x':
      line.type = EventType::Exit;
      break;
    default:
      return std::nullopt;
  }
  switch (text[1]) {
    case 'n':
      line.end = SegmentEnd::Newline;
      break;
    case 'r':
      line.end = SegmentEnd::CarriageReturn;
      break;
    case 'p':
      line.end = SegmentEnd::Partial;
      break;
    default:
      return std::nullopt;
  }
  const char* const last = text.data() + text.size();
  const auto [digits_end, error] = std::from_chars(text.data() + 2, last, line.t_ms);
  if (error != std::errc() || digits_end == last || *digits_end != ' ') return std::nullopt;
  line.data = std::string_view(digits_end + 1, static_cast<std::size_t>(last - digits_end - 1));
  return line;
}

}  // namespace ssetail::record::compact
