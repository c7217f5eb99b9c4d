// The run's sections (SPEC §12) from the markers of the dialects that are on: GitHub's
// `::group::TITLE` / `::endgroup::` (also `##[group]` as raw logs have them), nested;
// GitLab's `section_start:UNIX:NAME[opts]` + `\r\e[0KTITLE` / `section_end:UNIX:NAME`,
// ended by name; Buildkite's `--- `, `+++ `, `~~~ `, each ending the one before, and its
// `^^^ +++`, which unfolds the Buildkite section it is in.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "index/section.hpp"
#include "index/segment_joiner.hpp"

namespace ssetail::index {

class SectionTracker {
 public:
  // At most `max_sections` sections are kept, nested at most kMaxDepth deep; markers past
  // either open nothing (and their ends close nothing else).
  SectionTracker(SectionDialects dialects, std::size_t max_sections);

  static constexpr std::size_t kMaxDepth = 64;

  // One piece of a line of `stream` (0 stdout, 1 stderr): `body` is its raw text after any
  // timestamp, `text` the same as the page shows it. An end marker ends its section with
  // the line's last event, so one seen before a CR waits for the line to end.
  void OnPiece(int stream, const Piece& piece, std::string_view body, std::string_view text,
               std::uint64_t version);

  // True when OnPiece would change nothing for a whole line of `stream` in one piece whose
  // body and text are both `text`: no line of the stream is in progress (no end waits for
  // its line's end) and `text` begins with no marker byte of the dialects looked for.
  bool Ignores(int stream, std::string_view text) const;

  // An error at `seq`: the sections holding it fail.
  void Error(std::uint64_t seq, std::uint64_t version);

  // Events were skipped: lines in progress are over (an end waiting for its line's end ends
  // now). Open sections stay open.
  void Gap(std::uint64_t version);

  // The run ended: every open section ends at `last_seq`, at `t`.
  void Finish(std::uint64_t last_seq, std::uint32_t t, std::uint64_t version);

  const std::vector<Section>& sections() const { return sections_; }

  // How many times a section was added or changed: the caller compares it across calls.
  std::uint64_t changes() const { return changes_; }

 private:
  struct Open {
    std::uint32_t index;  // into sections_
    std::string name;     // GitLab: what its end names
  };
  struct End {
    bool waiting = false;
    Dialect dialect = Dialect::GitHub;
    std::string name;
    std::uint64_t seq = 0;
    std::uint32_t t = 0;
  };
  struct LineState {              // per stream
    std::uint64_t line_seq = 0;   // the line the rest is about
    std::int64_t title_for = -1;  // a GitLab section of this line whose title may follow the CR
    End end;
  };

  bool GitHubMarker(const Piece& piece, std::string_view text, LineState& line,
                    std::uint64_t version);
  bool GitLabMarker(const Piece& piece, std::string_view body, LineState& line,
                    std::uint64_t version);
  bool BuildkiteMarker(const Piece& piece, std::string_view text, std::uint64_t version);
  std::int64_t Start(Dialect dialect, std::string_view title, std::string name, bool collapsed,
                     const Piece& piece, std::uint64_t version);
  void EndAt(const End& end, std::uint64_t version);
  void CloseFrom(std::size_t depth, std::uint64_t last, std::uint32_t t, std::uint64_t version);

  SectionDialects dialects_;
  std::size_t max_sections_;
  std::vector<Section> sections_;
  std::vector<Open> open_;
  std::size_t github_unkept_ = 0;  // GitHub groups opened past the caps: their ends end nothing
  // The latest seq used as a first or last: a new section begins after it, and a section
  // ends at or after it, so sections nest even when a line that began earlier (a partial
  // one, on the other stream) holds the next marker.
  std::uint64_t floor_ = 0;
  std::uint64_t changes_ = 0;
  LineState lines_[2];
};

}  // namespace ssetail::index
