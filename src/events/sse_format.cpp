#include "events/sse_format.hpp"

#include "events/json.hpp"

namespace ssetail::sse {

char* WriteJsonOutputData(char* out, std::string_view text, std::uint32_t t_ms, SegmentEnd end) {
  const auto put = [&out](std::string_view s) {
    std::memcpy(out, s.data(), s.size());
    out += s.size();
  };
  put("{\"text\":");
  out = json::WriteString(out, text);
  put(",\"t\":");
  out = std::to_chars(out, out + 10, t_ms).ptr;
  if (end == SegmentEnd::CarriageReturn) put(",\"cr\":true");
  if (end == SegmentEnd::Partial) put(",\"partial\":true");
  *out++ = '}';
  return out;
}

void AppendJsonOutputData(std::string& out, std::string_view text, std::uint32_t t_ms,
                          SegmentEnd end) {
  const std::size_t at = out.size();
  out.resize(at + JsonOutputDataBound(text.size()));
  out.resize(
      static_cast<std::size_t>(WriteJsonOutputData(out.data() + at, text, t_ms, end) - out.data()));
}

void AppendEvent(std::string& out, std::string_view id_line, EventType type,
                 std::string_view data) {
  const std::size_t at = out.size();
  out.resize(at + id_line.size() + EncodedSizeBound("", data.size()));
  out.resize(at + EncodeEventWithId(out.data() + at, id_line, type, data).size);
}

void AppendJsonOutputEvent(std::string& out, std::string_view run_id, std::uint64_t seq,
                           EventType type, std::string_view text, std::uint32_t t_ms,
                           SegmentEnd end) {
  char digits[24];
  out.append("id: ");
  out.append(run_id);
  out.push_back('.');
  out.append(digits, std::to_chars(digits, digits + sizeof digits, seq).ptr);
  out.append(EventLinePrefix(type));
  AppendJsonOutputData(out, text, t_ms, end);
  out.append("\n\n");
}

void AppendGap(std::string& out, std::uint64_t missed) {
  AppendEvent(out, "", EventType::Gap, "{\"missed\":" + std::to_string(missed) + "}");
}

std::optional<EventId> ParseEventId(std::string_view text) {
  const std::size_t dot = text.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  EventId id;
  id.run = std::string(text.substr(0, dot));
  const char* first = text.data() + dot + 1;
  const char* last = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, id.seq);
  if (ec != std::errc{} || ptr != last || first == last || id.seq > kMaxSeq) return std::nullopt;
  return id;
}

}  // namespace ssetail::sse
