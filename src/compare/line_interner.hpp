// Normalised lines as small integers, shared by both runs of a comparison: equal lines get
// equal ids, so the alignment compares integers and no line's text is kept. Not thread-safe:
// its Comparison's owner calls it.
//
// A line's identity is a 64-bit hash of its normalised text (std::hash, MurmurHash2 in
// libstdc++): two different lines share an id with probability about n²/2⁶⁵, 1 in 10⁷ for
// two million distinct lines, and then one line is taken as unchanged. Keeping the texts
// instead would cost their whole size (about 100 MiB for two 1 M-line runs).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "compare/side.hpp"

namespace ssetail::compare {

// Which ids a run has, one bit per id: small enough to stay in the CPU's cache.
class IdSet {
 public:
  IdSet() = default;
  explicit IdSet(std::span<const std::uint64_t> words) : words_(words) {}
  bool Has(std::uint32_t id) const {
    const std::size_t word = id / 64;
    return word < words_.size() && (words_[word] >> (id % 64) & 1) != 0;
  }

 private:
  std::span<const std::uint64_t> words_;
};

class LineInterner {
 public:
  LineInterner();

  // The id of `normalised`, new or not; marks it as one of `side`'s.
  std::uint32_t Intern(std::string_view normalised, Side side) {
    return Intern(Hash(normalised), side);
  }
  // The same in two steps: a line's hash, then its id. Between them, Prefetch lets the
  // table's memory come into the cache while the caller does other work (the next line).
  static std::uint64_t Hash(std::string_view normalised);
  void Prefetch(std::uint64_t hash) const;
  std::uint32_t Intern(std::uint64_t hash, Side side);

  // An id equal to no line and to no other such id (a gap stands for unknown lines).
  std::uint32_t Unique();

  // The ids `side` has so far.
  IdSet ids(Side side) const { return IdSet(present_[Index(side)]); }

  std::size_t size() const { return hashes_.size(); }
  std::size_t MemoryBytes() const;

 private:
  // Open addressing, linear probing, at most half full. The slot keeps the hash's high half,
  // which also picks the slot: probing past other lines and growing the table read nothing
  // else; only a line found again is checked against its whole hash.
  struct Slot {
    std::uint32_t tag = 0;
    std::uint32_t id_plus_1 = 0;  // 0: empty
  };

  void Grow();
  void Mark(std::uint32_t id, Side side);

  std::vector<Slot> slots_;
  std::vector<std::uint64_t> hashes_;  // by id: the whole identity
  std::array<std::vector<std::uint64_t>, 2> present_;
};

}  // namespace ssetail::compare
