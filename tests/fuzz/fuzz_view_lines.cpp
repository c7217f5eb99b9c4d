// `--view`'s line reader (RecordLines) fed whole files, in reads of any size: the same lines
// as a plain model of the file whatever the reads (split at LF; past the first line, the
// NULs of a --record-max hole dropped from a line's start), numbered as `sed` counts; never
// more held than the incomplete line's bytes; the first line's NULs reported; a line longer
// than 16 MiB reported as overlong. Each complete line then goes through record::ParseLine
// and the viewer's own checks: an accepted id is RUN.SEQ with a run id of 1 to 64 of
// [A-Za-z0-9_-] and 1 <= SEQ <= 2^53, so SEQ + 1 never wraps (issue 19).
//
// Input: [mode][read sizes: 4 bytes][file...]. Mode bit 0: a hole (mode-derived NULs, up
// to 64 KiB) after the first line; bit 1: a line with an extreme id appended
// (2^53 - 1 ... 2^64 - 1); bit 2 (rarely, mode >= 0xF8): a line grown past 16 MiB.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checkers.hpp"
#include "events/event.hpp"
#include "record/record_line.hpp"
#include "view/record_lines.hpp"

using namespace ssetail;

namespace {

struct Model {
  std::vector<std::string> lines;  // complete lines, holes dropped
  std::string incomplete;          // after the last LF
};

FUZZ_NO_COVERAGE Model Split(std::string_view file) {
  Model model;
  std::size_t at = 0;
  for (;;) {
    const std::size_t newline = file.find('\n', at);
    if (newline == std::string_view::npos) break;
    std::string line(file.substr(at, newline - at));
    if (!model.lines.empty()) line.erase(0, std::min(line.find_first_not_of('\0'), line.size()));
    model.lines.push_back(std::move(line));
    at = newline + 1;
  }
  model.incomplete = std::string(file.substr(at));
  return model;
}

// The viewer's checks of one line after the first (record_viewer.cpp), on the parsed line.
void CheckParsed(std::string_view text, std::uint64_t& last_seq) {
  std::string buffer;
  const auto line = record::ParseLine(text, buffer);
  if (!line) {
    FUZZ_CHECK(!line.error().empty());
    return;
  }
  FUZZ_CHECK(line->seq >= 1 && line->seq <= kMaxSeq);
  FUZZ_CHECK(IsRunId(line->run_id));
  FUZZ_CHECK(line->seq + 1 > line->seq);  // no wrap-around, ever
  if (line->seq > last_seq) last_seq = line->seq;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader reader(data, size);
  const std::uint8_t mode = reader.Byte();
  std::uint8_t sizes[4];
  for (auto& s : sizes) s = reader.Byte();
  std::string file(reader.Rest());
  if (mode & 1) {
    const std::size_t newline = file.find('\n');
    const std::size_t hole = (static_cast<std::size_t>(mode) << 8) % (64 << 10);
    if (newline != std::string::npos) file.insert(newline + 1, hole, '\0');
  }
  if (mode & 2) {
    static constexpr const char* kIds[] = {"9007199254740991",     "9007199254740992",
                                           "9007199254740993",     "18446744073709551615",
                                           "18446744073709551616", "0",
                                           "00009007199254740992"};
    file += "\n{\"id\":\"r.";
    file += kIds[mode % std::size(kIds)];
    file += "\",\"event\":\"stdout\",\"data\":{\"text\":\"x\"}}\n";
  }
  const bool huge = mode >= 0xF8;
  if (huge) file.append((16 << 20) + 1, 'x');  // no LF: an incomplete line past the bound

  const Model model = Split(file);
  RecordLines lines;
  std::vector<std::string> got;
  std::size_t at = 0;
  for (int read = 0; at < file.size(); ++read) {
    while (const auto line = lines.Next()) {
      got.emplace_back(*line);
      FUZZ_CHECK(lines.line_number() == got.size());
    }
    // Reads of 1..256 bytes from the input's sizes, or large ones for a huge file.
    std::size_t piece = huge ? (1 << 20) : static_cast<std::size_t>(sizes[read % 4]) + 1;
    piece = std::min(piece, file.size() - at);
    lines.Feed(std::string_view(file).substr(at, piece));
    at += piece;
    FUZZ_CHECK(lines.incomplete_size() <= file.size());
  }
  while (const auto line = lines.Next()) got.emplace_back(*line);
  FUZZ_CHECK(got == model.lines);
  FUZZ_CHECK(lines.line_number() == model.lines.size());
  // What is held is at most the incomplete line (its hole's NULs may be gone already).
  FUZZ_CHECK(lines.incomplete_size() <= model.incomplete.size());
  FUZZ_CHECK(lines.overlong() == (lines.incomplete_size() > RecordLines::kLongestLine));
  if (huge) FUZZ_CHECK(lines.overlong());
  const std::string_view first =
      model.lines.empty() ? std::string_view(model.incomplete) : std::string_view(model.lines[0]);
  FUZZ_CHECK(lines.first_line_has_nul() == (first.find('\0') != std::string_view::npos));

  std::uint64_t last_seq = 0;
  for (const std::string& line : got) CheckParsed(line, last_seq);
  return 0;
}
