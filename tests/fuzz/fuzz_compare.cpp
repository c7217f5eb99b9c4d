// compare::Normalize and compare::Comparison on any lines, two runs, gaps, runs that go on.
//
// Normalize: no crash, no control character but TAB left, idempotent. Comparison: the hunks are a
// valid alignment: each side's reported lines are its own, in increasing order across hunks; where
// nothing is lost (no gap) and both runs are complete, the lines outside the hunks are the same
// normalised lines in the same order on both sides, and every line of the two runs is accounted
// for.
//
// Input: [flags][window][lines, separated by LF]. flags bit 0: this run complete, bit 1: the
// other complete, bit 2: Advance after every line, bits 3-4: the solid run (1..4), bits 5-7:
// the live margin (0..7). window: the windows' first size (1..16; the largest is 4x). A line's
// first byte picks its run (odd: the other run; 0x7f: a gap in that run before the line) and the
// rest is its text, repaired to UTF-8 as capture and the record reader hand lines on.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "checkers.hpp"
#include "compare/comparison.hpp"
#include "compare/normalize.hpp"
#include "text/utf8.hpp"

using namespace ssetail::compare;

namespace {

void CheckNormalize(std::string_view line) {
  const std::string normal = Normalize(line);
  for (const char c : normal) {
    const auto b = static_cast<unsigned char>(c);
    FUZZ_CHECK(b >= 0x20 || b == '\t');
    FUZZ_CHECK(b != 0x7f);
  }
  FUZZ_CHECK(Normalize(normal) == normal);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader reader(data, size);
  const std::uint8_t flags = reader.Byte();
  const std::uint32_t window = 1 + reader.Byte() % 16;
  Budget budget;
  budget.window = {window, window * 4, static_cast<std::uint32_t>(1 + flags / 8 % 4),
                   static_cast<std::uint32_t>(flags / 32 % 8)};
  Comparison c(budget);
  std::map<std::uint64_t, std::string> texts[2];  // seq -> normalised text, by side
  std::uint64_t next_seq[2] = {2, 2};
  bool gaps = false;
  std::string_view rest = reader.Rest();
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (line.empty()) continue;
    const int side = static_cast<unsigned char>(line[0]) % 2;
    if (line[0] == '\x7f') {
      next_seq[side] += 3;
      gaps = true;
    }
    std::string text;
    ssetail::utf8::AppendRepaired(line.substr(1), text);
    CheckNormalize(text);
    c.Append(side == 0 ? Side::This : Side::Other, next_seq[side], text, 0);
    texts[side][next_seq[side]] = Normalize(text);
    ++next_seq[side];
    if (flags & 4) c.Advance();
  }
  const bool complete[2] = {(flags & 1) != 0, (flags & 2) != 0};
  if (complete[0]) c.Finish(Side::This);
  if (complete[1]) c.Finish(Side::Other);
  for (int k = 0; k < 100000 && !c.Advance() && complete[0] && complete[1]; ++k) {
  }
  FUZZ_CHECK(c.Complete() == (complete[0] && complete[1]));

  std::uint64_t last[2] = {0, 0};
  std::map<std::uint64_t, bool> in_hunk[2];
  c.ForEachHunk([&](const HunkLines& hunk) {
    FUZZ_CHECK(!hunk.seqs.empty() || !hunk.with_seqs.empty());
    const std::vector<std::uint64_t>* sides[2] = {&hunk.seqs, &hunk.with_seqs};
    for (int side = 0; side < 2; ++side) {
      for (const std::uint64_t seq : *sides[side]) {
        FUZZ_CHECK(texts[side].count(seq) == 1);
        FUZZ_CHECK(seq > last[side]);
        last[side] = seq;
        in_hunk[side][seq] = true;
      }
    }
    return true;
  });
  if (gaps || !c.Complete()) return 0;
  std::vector<std::string> kept[2];
  for (int side = 0; side < 2; ++side) {
    for (const auto& [seq, text] : texts[side]) {
      if (!in_hunk[side].count(seq)) kept[side].push_back(text);
    }
  }
  FUZZ_CHECK(kept[0] == kept[1]);
  return 0;
}
