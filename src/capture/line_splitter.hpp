// Turns the raw bytes of one output stream into segments (SPEC §2.1).
//
// Pure and single-threaded: one splitter per stream, fed by whoever reads that stream.
// Segments are handed to a callback as string views that are valid only during the call,
// so the hot path (a read of many short lines) copies nothing and allocates nothing.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "events/event.hpp"
#include "text/utf8.hpp"

namespace ssetail {

class LineSplitter {
 public:
  static constexpr std::size_t kMaxSegmentBytes = 64 * 1024;

  // Calls emit(std::string_view text, SegmentEnd end) for every segment that `bytes`
  // completes. The text is valid UTF-8 without NUL, CR or LF.
  template <class Emit>
  void Feed(std::string_view bytes, Emit&& emit);

  // Emits the pending unterminated text as a Partial segment (after 200 ms of silence, or at
  // EOF). Before EOF an incomplete multi-byte character at the end is kept for the next read.
  template <class Emit>
  void Flush(bool at_eof, Emit&& emit);

  bool HasPending() const { return !pending_.empty(); }

 private:
  template <class Emit>
  void FeedSlow(std::string_view bytes, Emit& emit);
  template <class Emit>
  std::size_t FeedFast(std::string_view bytes, Emit& emit);
  template <class Emit>
  void EmitLine(std::string_view line, Emit& emit);
  template <class Emit>
  void EmitSegment(std::string_view raw, SegmentEnd end, Emit& emit);
  template <class Emit>
  void EmitClean(std::string_view raw, SegmentEnd end, Emit& emit);
  template <class Emit>
  void TrimPending(Emit& emit);

  std::string pending_;   // an unterminated line; may end in CRs that could start a CRLF
  std::string repaired_;  // scratch buffer for text that needed UTF-8 repair
};

template <class Emit>
void LineSplitter::Feed(std::string_view bytes, Emit&& emit) {
  if (bytes.empty()) return;  // may have a null data(), which memchr must not be given
  if (!pending_.empty()) {
    // Finish the line the previous read left open, then take the fast path for the rest.
    const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
    if (nl == nullptr) return FeedSlow(bytes, emit);
    const auto length = static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data());
    pending_.append(bytes.substr(0, length));
    EmitLine(pending_, emit);
    pending_.clear();
    bytes.remove_prefix(length + 1);
  }
  bytes.remove_prefix(FeedFast(bytes, emit));
  FeedSlow(bytes, emit);
}

// Emits the plain lines (ASCII without NUL or CR, at most the size limit) of `bytes` whose
// LF lies in a whole 16-byte block, examining each byte once with SSE2; other lines go
// through EmitLine. Returns how many bytes it consumed (up to the last LF it handled).
template <class Emit>
std::size_t LineSplitter::FeedFast(std::string_view bytes, Emit& emit) {
#if defined(__SSE2__)
  const char* data = bytes.data();
  const std::size_t n = bytes.size();
  std::size_t line_start = 0;
  bool dirty = false;  // the current line has a byte that needs the slow path
  const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'), zero = _mm_setzero_si128();
  for (std::size_t base = 0; base + 16 <= n; base += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + base));
    auto lf_bits = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)));
    auto other_bits = static_cast<std::uint32_t>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, zero))) |
        _mm_movemask_epi8(v));  // high bit set: not ASCII
    while (lf_bits != 0) {
      const int bit = __builtin_ctz(lf_bits);
      const std::uint32_t below = (1u << bit) - 1;
      const std::size_t end = base + static_cast<std::size_t>(bit);
      const std::string_view line(data + line_start, end - line_start);
      if (dirty || (other_bits & below) != 0 || line.size() > kMaxSegmentBytes) {
        EmitLine(line, emit);
      } else {
        emit(line, SegmentEnd::Newline);
      }
      other_bits &= ~below;
      dirty = false;
      line_start = end + 1;
      lf_bits &= lf_bits - 1;
    }
    dirty = dirty || other_bits != 0;
  }
  return line_start;
#else
  (void)bytes;
  (void)emit;
  return 0;
#endif
}

template <class Emit>
void LineSplitter::FeedSlow(std::string_view bytes, Emit& emit) {
  while (!bytes.empty()) {
    const void* nl = std::memchr(bytes.data(), '\n', bytes.size());
    if (nl == nullptr) {
      pending_.append(bytes);
      TrimPending(emit);
      return;
    }
    const auto length = static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data());
    if (pending_.empty()) {
      EmitLine(bytes.substr(0, length), emit);
    } else {
      pending_.append(bytes.substr(0, length));
      EmitLine(pending_, emit);
      pending_.clear();
    }
    bytes.remove_prefix(length + 1);
  }
}

template <class Emit>
void LineSplitter::Flush(bool at_eof, Emit&& emit) {
  const std::size_t text_end = pending_.find_last_not_of('\r') + 1;  // npos + 1 == 0
  if (text_end < pending_.size()) {
    // Trailing CRs that no LF followed: the segment was ended by a lone CR after all (and
    // with no text before them, there is no segment, as for any lone CR).
    if (text_end > 0) {
      EmitSegment(std::string_view(pending_).substr(0, text_end), SegmentEnd::CarriageReturn, emit);
    }
    pending_.clear();
    return;
  }
  const std::size_t hold = at_eof ? 0 : utf8::IncompleteTail(pending_);
  if (pending_.size() > hold) {
    EmitSegment(std::string_view(pending_).substr(0, pending_.size() - hold), SegmentEnd::Partial,
                emit);
    pending_.erase(0, pending_.size() - hold);
  }
}

// A complete line (its LF removed): lone CRs inside split it into overwrite segments.
template <class Emit>
void LineSplitter::EmitLine(std::string_view line, Emit& emit) {
  while (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF (and CR CR LF)
  for (;;) {
    const void* cr = std::memchr(line.data(), '\r', line.size());
    if (cr == nullptr) break;
    const auto length = static_cast<std::size_t>(static_cast<const char*>(cr) - line.data());
    if (length > 0) EmitSegment(line.substr(0, length), SegmentEnd::CarriageReturn, emit);
    line.remove_prefix(length + 1);
  }
  EmitSegment(line, SegmentEnd::Newline, emit);
}

// Emits the CR-terminated segments of the unterminated pending text, and cuts it down to
// the size limit, so that pending_ never holds more than one segment's worth of bytes.
template <class Emit>
void LineSplitter::TrimPending(Emit& emit) {
  std::string_view rest(pending_);
  for (;;) {
    const std::size_t cr = rest.find('\r');
    if (cr == std::string_view::npos) break;
    const std::size_t next = rest.find_first_not_of('\r', cr);
    if (next == std::string_view::npos) break;  // may yet become a CRLF: wait
    if (cr > 0) EmitSegment(rest.substr(0, cr), SegmentEnd::CarriageReturn, emit);
    rest.remove_prefix(next);
  }
  // What is left is text, possibly followed by a run of CRs.
  while (std::min(rest.find('\r'), rest.size()) > kMaxSegmentBytes) {
    const std::size_t cut = utf8::CutPoint(rest, kMaxSegmentBytes);
    EmitClean(rest.substr(0, cut), SegmentEnd::Partial, emit);
    rest.remove_prefix(cut);
  }
  pending_.erase(0, pending_.size() - rest.size());
}

template <class Emit>
void LineSplitter::EmitSegment(std::string_view raw, SegmentEnd end, Emit& emit) {
  while (raw.size() > kMaxSegmentBytes) {
    const std::size_t cut = utf8::CutPoint(raw, kMaxSegmentBytes);
    EmitClean(raw.substr(0, cut), SegmentEnd::Partial, emit);
    raw.remove_prefix(cut);
  }
  EmitClean(raw, end, emit);
}

template <class Emit>
void LineSplitter::EmitClean(std::string_view raw, SegmentEnd end, Emit& emit) {
  if (utf8::IsClean(raw)) {
    emit(raw, end);
    return;
  }
  repaired_.clear();
  utf8::AppendRepaired(raw, repaired_);
  emit(std::string_view(repaired_), end);
}

}  // namespace ssetail
