// LineSplitter: the segments do not depend on how the bytes were cut into reads, each one is
// clean (valid UTF-8 without NUL, CR or LF) and cut from at most kMaxSegmentBytes of input,
// and they are what an independent model of SPEC §2.1 gives.
//
// Input: [flags][n][n read sizes][long-mode: offset, split][body]. In long mode (flags & 1)
// the body's first `split` bytes are repeated up to about 64 KiB (or 128 KiB) so that short
// inputs reach the size limit, with the rest of the body after them.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "capture/line_splitter.hpp"
#include "checkers.hpp"
#include "text/utf8.hpp"

using ssetail::LineSplitter;
using ssetail::SegmentEnd;

namespace {

constexpr std::size_t kMax = LineSplitter::kMaxSegmentBytes;

// The segments, kept compactly (long inputs make tens of thousands of them): their texts
// back to back, and each one's length and end.
struct Segments {
  std::string text;
  std::vector<std::pair<std::size_t, SegmentEnd>> items;
  bool operator==(const Segments&) const = default;
  void Add(std::string_view t, SegmentEnd end) {
    text.append(t);
    items.emplace_back(t.size(), end);
  }
  template <class Fn>
  void ForEach(Fn&& fn) const {
    std::size_t at = 0;
    for (const auto& [length, end] : items) {
      fn(std::string_view(text).substr(at, length), end);
      at += length;
    }
  }
};

struct Collector {
  LineSplitter splitter;
  Segments segments;
  void Feed(std::string_view bytes) {
    splitter.Feed(bytes, [this](std::string_view t, SegmentEnd e) { segments.Add(t, e); });
  }
  void Flush(bool at_eof) {
    splitter.Flush(at_eof, [this](std::string_view t, SegmentEnd e) { segments.Add(t, e); });
  }
};

// SPEC §2.1 written out plainly: lines at LF, trailing CRs of a line dropped, a lone CR ends a
// (non-empty) segment, text left at EOF is partial, pieces over the limit are cut where
// utf8::CutPoint says (checked on its own by fuzz_utf8_repair), each piece repaired alone.
FUZZ_NO_COVERAGE Segments Model(std::string_view in) {
  Segments out;
  auto piece = [&out](std::string_view raw, SegmentEnd end) {
    while (raw.size() > kMax) {
      const std::size_t cut = ssetail::utf8::CutPoint(raw, kMax);
      const std::size_t at = out.text.size();
      fuzz::AppendWhatwgDecoded(raw.substr(0, cut), out.text);
      out.items.emplace_back(out.text.size() - at, SegmentEnd::Partial);
      raw.remove_prefix(cut);
    }
    const std::size_t at = out.text.size();
    fuzz::AppendWhatwgDecoded(raw, out.text);
    out.items.emplace_back(out.text.size() - at, end);
  };
  // Emits the segments that CRs end; returns the text after the last CR.
  auto split_crs = [&piece](std::string_view text) {
    for (std::size_t cr; (cr = text.find('\r')) != std::string_view::npos;) {
      if (cr > 0) piece(text.substr(0, cr), SegmentEnd::CarriageReturn);
      text.remove_prefix(cr + 1);
    }
    return text;
  };
  std::size_t start = 0;
  for (std::size_t lf; (lf = in.find('\n', start)) != std::string_view::npos; start = lf + 1) {
    std::string_view line = in.substr(start, lf - start);
    while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    piece(split_crs(line), SegmentEnd::Newline);
  }
  const std::string_view tail = in.substr(start);
  const std::size_t text_end = tail.find_last_not_of('\r') + 1;  // npos + 1 == 0
  const std::string_view rest = split_crs(tail.substr(0, text_end));
  if (!rest.empty()) {
    piece(rest, text_end < tail.size() ? SegmentEnd::CarriageReturn : SegmentEnd::Partial);
  }
  return out;
}

FUZZ_NO_COVERAGE void CheckSegments(const Segments& segments, std::string_view input) {
  const bool clean = fuzz::IsValidUtf8WithoutNul(input);
  std::size_t newlines = 0;
  segments.ForEach([&](std::string_view text, SegmentEnd end) {
    // The limit is on the bytes read: repair may triple them (a NUL or a stray byte becomes
    // the 3-byte U+FFFD), so only clean input keeps every segment within it.
    FUZZ_CHECK(text.size() <= 3 * kMax);
    if (clean) FUZZ_CHECK(text.size() <= kMax);
    FUZZ_CHECK(fuzz::IsValidUtf8WithoutNul(text));
    FUZZ_CHECK(text.find_first_of("\r\n") == std::string_view::npos);
    // Only a line may be empty: an empty CR or partial segment would be an event for nothing.
    FUZZ_CHECK(end == SegmentEnd::Newline || !text.empty());
    newlines += end == SegmentEnd::Newline;
  });
  FUZZ_CHECK(newlines == static_cast<std::size_t>(std::count(input.begin(), input.end(), '\n')));
  if (clean) {
    // Clean text loses only its CRs and LFs: nothing is repaired, nothing cut inside a character.
    std::string expected;
    expected.reserve(input.size());
    for (char c : input)
      if (c != '\r' && c != '\n') expected.push_back(c);
    FUZZ_CHECK(segments.text == expected);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader reader(data, size);
  const std::uint8_t flags = reader.Byte();
  std::vector<std::uint8_t> read_sizes(reader.Byte() % 8 + 1);
  for (auto& s : read_sizes) s = reader.Byte();
  std::string input;
  if (flags & 1) {
    const auto offset = static_cast<std::int8_t>(reader.Byte());
    const std::uint8_t split = reader.Byte();
    const std::string_view body = reader.Rest();
    const std::string_view unit = body.substr(0, std::min<std::size_t>(split, body.size()));
    const std::size_t target = kMax * ((flags & 2) ? 2 : 1) + static_cast<std::size_t>(offset);
    if (!unit.empty()) {
      input = unit;
      while (input.size() < target) input.append(input);  // doubling: a few appends
      input.resize(target);
    }
    input.append(body.substr(unit.size()));
  } else {
    input = std::string(reader.Rest());
  }

  // All at once.
  Collector whole;
  whole.Feed(input);
  whole.Flush(true);
  CheckSegments(whole.segments, input);
  FUZZ_CHECK(!whole.splitter.HasPending());
  FUZZ_CHECK(whole.segments == Model(input));

  // In reads of the sizes the input gives: below 0x80 that many bytes (0: an empty read
  // followed by a 1-byte one), above that many KiB. At most about 256 reads: each read
  // rescans the pending text for CRs, and long inputs in 1-byte reads would take seconds.
  const std::size_t min_read = input.size() / 256;
  Collector pieces;
  Collector idle;  // the same reads, each followed by an idle flush when flags & 4
  for (std::size_t at = 0, k = 0; at < input.size(); ++k) {
    const std::uint8_t s = read_sizes[k % read_sizes.size()];
    std::size_t length = s < 0x80 ? s : static_cast<std::size_t>(s & 0x7F) * 1024 + 1;
    if (length == 0) {
      pieces.Feed(std::string_view());
      length = 1;
    }
    length = std::max(length, min_read);
    const std::string_view read = std::string_view(input).substr(at, length);
    pieces.Feed(read);
    if (flags & 4) {
      idle.Feed(read);
      idle.Flush(false);
    }
    at += read.size();
  }
  pieces.Flush(true);
  FUZZ_CHECK(pieces.segments == whole.segments);
  if (flags & 4) {
    idle.Flush(true);
    FUZZ_CHECK(!idle.splitter.HasPending());
    CheckSegments(idle.segments, input);
  }
  return 0;
}
