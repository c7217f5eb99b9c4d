#include "redisformat/entry_id.hpp"

#include <charconv>

#include "events/event.hpp"

namespace ssetail {

std::string EntryId(std::uint64_t seq) {
  return "0-" + std::to_string(seq);
}

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

}  // namespace ssetail
