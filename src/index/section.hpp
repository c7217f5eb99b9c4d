// The run's sections (SPEC §12): CI markers that fold the log, and which dialects of them
// are recognised. Plain values, and the parser of `--sections LIST`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssetail::index {

enum class Dialect : std::uint8_t { GitHub, GitLab, Buildkite };

// Which section markers are recognised. Buildkite's `--- ` begins lines of `go test -v` and
// of every unified diff, so it is only on under Buildkite or when asked for.
struct SectionDialects {
  bool github = true;
  bool gitlab = true;
  bool buildkite = false;

  bool On(Dialect d) const {
    return d == Dialect::GitHub ? github : d == Dialect::GitLab ? gitlab : buildkite;
  }
  bool operator==(const SectionDialects&) const = default;
};

// `--sections LIST`: `auto` (GitHub and GitLab, and Buildkite when `under_buildkite`, i.e.
// BUILDKITE=true), `none`, or a comma-separated list of `github`, `gitlab`, `buildkite`.
// Nothing, with `why` set, for anything else.
std::optional<SectionDialects> ParseSectionDialects(std::string_view list, bool under_buildkite,
                                                    std::string* why = nullptr);

// One section. `first` is its marker's line; `last` the last line inside it (its end
// marker's line for GitHub and GitLab, the line before the next marker for Buildkite),
// 0 while it is open. Times are the lines' t (ms since the start).
struct Section {
  std::string title;
  std::uint64_t first = 0;
  std::uint64_t last = 0;   // 0: still open
  std::uint32_t depth = 0;  // 0 at the top; a section opened inside another is one deeper
  std::uint32_t t_first = 0;
  std::uint32_t t_last = 0;  // valid once closed
  std::int32_t parent = -1;  // the enclosing section's index, -1 at the top
  Dialect dialect = Dialect::GitHub;
  bool failed = false;  // an error lies between first and last
  // Folded by default, as its dialect says: GitHub groups, GitLab's `[collapsed=true]`,
  // Buildkite's `---` and `~~~` (until a `^^^ +++` inside reopens it); not Buildkite's `+++`.
  bool collapsed = false;
  // Its end marker's line (`::endgroup::`, `section_end:`), which the page hides; 0 when
  // something else ended it (an enclosing end, the next Buildkite marker, the run's end).
  std::uint64_t end_marker = 0;
  std::uint64_t version = 0;  // the index's version when this section last changed

  bool open() const { return last == 0; }
  std::uint32_t duration_ms() const { return t_last >= t_first ? t_last - t_first : 0; }
};

}  // namespace ssetail::index
