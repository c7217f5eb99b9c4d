// Feeding the run's index in unit tests: lines as events, from seq 2 on (1 is `start`).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "index/run_index.hpp"

namespace index_test {

using ssetail::EventType;
using ssetail::SegmentEnd;

// Feeds events one after the other: seq, time and stream as given or carried on.
class Feeder {
 public:
  explicit Feeder(ssetail::index::RunIndex& index) : index_(index) {}

  Feeder& Out(std::string_view text, SegmentEnd end = SegmentEnd::Newline) {
    return Event(EventType::Stdout, text, end);
  }
  Feeder& Err(std::string_view text, SegmentEnd end = SegmentEnd::Newline) {
    return Event(EventType::Stderr, text, end);
  }
  Feeder& Lines(std::initializer_list<std::string_view> lines, EventType type = EventType::Stdout) {
    for (const auto line : lines) Event(type, line, SegmentEnd::Newline);
    return *this;
  }
  Feeder& At(std::uint32_t t) {
    t_ = t;
    return *this;
  }
  Feeder& Skip(std::uint64_t n) {  // a gap: these seqs are never fed
    seq_ += n;
    return *this;
  }
  std::uint64_t next_seq() const { return seq_; }

 private:
  Feeder& Event(EventType type, std::string_view text, SegmentEnd end) {
    index_.Add(seq_++, type, text, t_, end);
    return *this;
  }

  ssetail::index::RunIndex& index_;
  std::uint64_t seq_ = 2;
  std::uint32_t t_ = 0;
};

// The problems in line order.
inline std::vector<ssetail::index::Problem> Problems(const ssetail::index::RunIndex& index) {
  std::vector<ssetail::index::Problem> out;
  for (const std::uint32_t i : index.line_order()) out.push_back(index.problems()[i]);
  return out;
}

// One index fed `lines` on stdout and finished: its problems in line order.
inline std::vector<ssetail::index::Problem> ProblemsOf(
    std::initializer_list<std::string_view> lines) {
  ssetail::index::RunIndex index;
  Feeder(index).Lines(lines);
  index.Finish(0);
  return Problems(index);
}

}  // namespace index_test
