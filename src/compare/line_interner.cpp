#include "compare/line_interner.hpp"

#include <functional>

namespace ssetail::compare {

namespace {
constexpr std::size_t kInitialSlots = 1024;  // a power of two
std::uint32_t Tag(std::uint64_t hash) {
  return static_cast<std::uint32_t>(hash >> 32);
}
}  // namespace

LineInterner::LineInterner() : slots_(kInitialSlots) {}

void LineInterner::Mark(std::uint32_t id, Side side) {
  std::vector<std::uint64_t>& words = present_[Index(side)];
  if (id / 64 >= words.size()) words.resize(id / 64 + 1, 0);
  words[id / 64] |= std::uint64_t{1} << (id % 64);
}

std::uint64_t LineInterner::Hash(std::string_view normalised) {
  return std::hash<std::string_view>{}(normalised);
}

void LineInterner::Prefetch(std::uint64_t hash) const {
  __builtin_prefetch(&slots_[Tag(hash) & (slots_.size() - 1)]);
}

std::uint32_t LineInterner::Intern(std::uint64_t hash, Side side) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t slot = Tag(hash) & mask;
  while (slots_[slot].id_plus_1 != 0) {
    const std::uint32_t id = slots_[slot].id_plus_1 - 1;
    if (slots_[slot].tag == Tag(hash) && hashes_[id] == hash) {
      Mark(id, side);
      return id;
    }
    slot = (slot + 1) & mask;
  }
  const std::uint32_t id = Unique();
  hashes_[id] = hash;
  slots_[slot] = {Tag(hash), id + 1};
  Mark(id, side);
  if (hashes_.size() * 2 > slots_.size()) Grow();
  return id;
}

std::uint32_t LineInterner::Unique() {
  const auto id = static_cast<std::uint32_t>(hashes_.size());
  hashes_.push_back(0);  // never looked up: only ids in slots_ are
  return id;
}

void LineInterner::Grow() {
  std::vector<Slot> slots(slots_.size() * 2);
  const std::size_t mask = slots.size() - 1;
  for (const Slot& entry : slots_) {
    if (entry.id_plus_1 == 0) continue;
    std::size_t slot = entry.tag & mask;
    while (slots[slot].id_plus_1 != 0) slot = (slot + 1) & mask;
    slots[slot] = entry;
  }
  slots_ = std::move(slots);
}

std::size_t LineInterner::MemoryBytes() const {
  return slots_.capacity() * sizeof(Slot) + hashes_.capacity() * sizeof(std::uint64_t) +
         (present_[0].capacity() + present_[1].capacity()) * sizeof(std::uint64_t);
}

}  // namespace ssetail::compare
