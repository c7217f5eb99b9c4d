#include "redis/run_entries.hpp"

#include <charconv>

#include "events/event.hpp"
#include "text/utf8.hpp"

namespace ssetail {

std::optional<std::uint64_t> SeqOfEntryId(std::string_view id) {
  if (id.substr(0, 2) != "0-" || id.size() == 2) return std::nullopt;
  const std::string_view digits = id.substr(2);
  if (digits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  std::uint64_t seq = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  if (seq == 0 || seq > kMaxSeq) return std::nullopt;
  return seq;
}

std::optional<DecodedEntry> DecodeEntry(std::string_view run_id, std::uint64_t seq,
                                        const std::vector<std::string_view>& fields,
                                        std::string& text_buffer, std::string& why) {
  std::optional<std::string_view> event, data;
  if (fields.size() % 2 != 0) {
    why = "an odd number of fields";
    return std::nullopt;
  }
  for (std::size_t i = 0; i < fields.size(); i += 2) {
    std::optional<std::string_view>* field = fields[i] == "event"  ? &event
                                             : fields[i] == "data" ? &data
                                                                   : nullptr;
    if (field == nullptr) continue;  // more than ours: ignored, as in a record line
    if (field->has_value()) {
      why = "a field twice";
      return std::nullopt;
    }
    *field = fields[i + 1];
  }
  if (!event || !data) {
    why = "no \"event\" or no \"data\" field";
    return std::nullopt;
  }
  const auto line = record::ParseEvent(run_id, seq, *event, *data, text_buffer);
  if (!line) {
    why = line.error();
    return std::nullopt;
  }
  DecodedEntry decoded{*line, false};
  if (IsOutput(line->type) && line->text.size() > kMaxEntryText) {
    decoded.line.text = line->text.substr(0, utf8::CutPoint(line->text, kMaxEntryTextCut));
    decoded.line.end = SegmentEnd::Partial;
    decoded.cut = true;
  }
  return decoded;
}

}  // namespace ssetail
