#include "view/record_lines.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using ssetail::RecordLines;

namespace {

// Every line of `file` fed in pieces of `piece` bytes.
std::vector<std::string> LinesOf(const std::string& file, std::size_t piece) {
  RecordLines lines;
  std::vector<std::string> out;
  for (std::size_t at = 0; at <= file.size(); at += piece) {
    while (const auto line = lines.Next()) out.emplace_back(*line);
    lines.Feed(std::string_view(file).substr(at, piece));
  }
  while (const auto line = lines.Next()) out.emplace_back(*line);
  return out;
}

}  // namespace

TEST_CASE("record lines: the same lines whatever the reads") {
  const std::string file = "one\ntwo\n\nthree\ntorn";
  for (std::size_t piece = 1; piece <= file.size(); ++piece) {
    CAPTURE(piece);
    CHECK(LinesOf(file, piece) == std::vector<std::string>{"one", "two", "", "three"});
  }
}

TEST_CASE("record lines: a hole after the first line is dropped as it comes (issue 19.4)") {
  // A record capped by --record-max: `start`, then NULs where the dropped lines were.
  const std::string hole(40 << 20, '\0');
  const std::string file = "start\n" + hole + "kept\nlast\n";
  for (std::size_t piece : {std::size_t{4096}, std::size_t{128 << 10}, std::size_t{3} << 20}) {
    RecordLines lines;
    std::vector<std::string> got;
    std::size_t most = 0;
    for (std::size_t at = 0; at < file.size(); at += piece) {
      while (const auto line = lines.Next()) got.emplace_back(*line);
      lines.Feed(std::string_view(file).substr(at, piece));
      most = std::max(most, lines.incomplete_size());
      CHECK_FALSE(lines.overlong());
    }
    std::vector<std::uint64_t> numbers;
    while (const auto line = lines.Next()) {
      got.emplace_back(*line);
      numbers.push_back(lines.line_number());
    }
    CHECK(got == std::vector<std::string>{"start", "kept", "last"});
    CHECK(numbers.back() == 3);  // the hole and "kept" are line 2, as sed counts
    CHECK(most <= piece);        // the hole is never held
    CHECK(lines.hole_bytes() == hole.size());
    CHECK_FALSE(lines.first_line_has_nul());
  }
}

TEST_CASE("record lines: the first line gets no hole, and every line is bounded (issue 19.2)") {
  RecordLines zeros;
  zeros.Feed(std::string(1 << 10, '\0'));
  CHECK_FALSE(zeros.Next());
  CHECK(zeros.first_line_has_nul());

  RecordLines long_line;
  const std::string piece(1 << 20, 'x');
  for (int i = 0; i < 17 && !long_line.overlong(); ++i) {
    CHECK_FALSE(long_line.Next());
    long_line.Feed(piece);
  }
  CHECK(long_line.overlong());
  CHECK(long_line.incomplete_size() <= RecordLines::kLongestLine + piece.size());
}
