// One stream's segments (SPEC §2.1) joined into the pieces the index looks at: a `partial`
// segment continues its line; a `cr` segment ends a piece that what follows overwrites (a
// progress bar, GitLab's `section_start:…\r\e[0KTitle`); a newline ends the line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "events/event.hpp"

namespace ssetail::index {

// Text kept of one piece: matchers look at the start of a line, and a line of megabytes
// (64 KiB partial events, one after the other) must not grow memory.
inline constexpr std::size_t kMaxPieceBytes = 64 * 1024;

struct Piece {
  std::string_view raw;        // the text since the line's last CR, escape sequences kept
  std::uint64_t line_seq = 0;  // the line's first event
  std::uint32_t line_t = 0;    // its time
  std::uint64_t seq = 0;       // the event that ended this piece
  std::uint32_t t = 0;         // its time
  bool line_ends = false;      // a newline ended it (false: a CR did)
};

class SegmentJoiner {
 public:
  // Adds one segment; returns the piece it ends (its `raw` valid until the next call), or
  // nothing for a partial one.
  std::optional<Piece> Add(std::uint64_t seq, std::string_view text, std::uint32_t t,
                           SegmentEnd end);

  // The line in progress as a last piece (the run ended without its newline), if any.
  std::optional<Piece> Flush();

  // Forgets the line in progress (events were skipped: its continuation is lost).
  void Reset();

  // No line in progress: a newline-ended segment Added now is a piece of its own, whole.
  // Skipping such a segment instead leaves the joiner as Add would have.
  bool Idle() const { return line_seq_ == 0; }

 private:
  void Append(std::string_view text);

  std::string pending_;         // partial text since the last piece ended
  std::uint64_t line_seq_ = 0;  // 0: no line in progress
  std::uint32_t line_t_ = 0;
  std::uint64_t last_seq_ = 0;  // the line's latest event
  std::uint32_t last_t_ = 0;
  bool clear_ = false;  // the last piece returned points into pending_: clear it next time
};

}  // namespace ssetail::index
