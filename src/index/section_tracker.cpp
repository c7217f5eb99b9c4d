#include "index/section_tracker.hpp"

#include <algorithm>

#include "index/line_text.hpp"
#include "index/problem.hpp"
#include "text/printable.hpp"

namespace ssetail::index {

namespace {

// Skips the escape sequences (CSI) a line may begin with (GitLab writes `\e[0K` before its
// markers).
std::string_view SkipLeadingCsi(std::string_view text) {
  while (text.starts_with("\x1b[")) {
    std::size_t i = 2;
    while (i < text.size() && text[i] >= 0x20 && text[i] <= 0x3f) ++i;
    if (i < text.size() && text[i] >= 0x40 && text[i] <= 0x7e) ++i;
    text.remove_prefix(i);
  }
  return text;
}

bool GitLabNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

std::string Title(std::string_view text) {
  return Field(Trim(text));
}

// Whether the comma-separated GitLab section options hold `option`.
bool HasOption(std::string_view options, std::string_view option) {
  while (true) {
    const std::size_t comma = options.find(',');
    if (Trim(options.substr(0, comma)) == option) return true;
    if (comma == std::string_view::npos) return false;
    options.remove_prefix(comma + 1);
  }
}

}  // namespace

SectionTracker::SectionTracker(SectionDialects dialects, std::size_t max_sections)
    : dialects_(dialects), max_sections_(max_sections) {}

void SectionTracker::OnPiece(int stream, const Piece& piece, std::string_view body,
                             std::string_view text, std::uint64_t version) {
  LineState& line = lines_[stream];
  if (line.line_seq != piece.line_seq) {
    line.line_seq = piece.line_seq;
    line.title_for = -1;
  } else if (line.title_for >= 0) {  // the text after a GitLab marker's CR: its title
    if (const std::string title = Title(text); !title.empty()) {
      Section& s = sections_[static_cast<std::size_t>(line.title_for)];
      s.title = title;
      s.version = version;
      ++changes_;
    }
    line.title_for = -1;
  }
  if (!text.empty()) {
    const char c = text[0];
    if ((c == ':' || c == '#') && dialects_.github) {
      GitHubMarker(piece, text, line, version);
    } else if (c == 's' && dialects_.gitlab) {
      GitLabMarker(piece, body, line, version);
    } else if ((c == '-' || c == '+' || c == '~' || c == '^') && dialects_.buildkite) {
      BuildkiteMarker(piece, text, version);
    }
  }
  if (piece.line_ends) {
    if (line.end.waiting) {
      line.end.seq = piece.seq;
      line.end.t = piece.t;
      EndAt(line.end, version);
    }
    line = LineState{};
  }
}

bool SectionTracker::Ignores(int stream, std::string_view text) const {
  const LineState& line = lines_[stream];
  if (line.line_seq != 0 || line.end.waiting) return false;
  if (text.empty()) return true;
  const char c = text[0];
  return !((c == ':' || c == '#') && dialects_.github) && !(c == 's' && dialects_.gitlab) &&
         !((c == '-' || c == '+' || c == '~' || c == '^') && dialects_.buildkite);
}

bool SectionTracker::GitHubMarker(const Piece& piece, std::string_view text, LineState& line,
                                  std::uint64_t version) {
  if (text.starts_with("::group::") || text.starts_with("##[group]")) {
    const std::string_view title = Trim(text.substr(9));
    Start(Dialect::GitHub, title.empty() ? "group" : title, {}, true, piece, version);
    return true;
  }
  const std::string_view marker = Trim(text);
  if (marker != "::endgroup::" && marker != "##[endgroup]") return false;
  line.end =
      End{.waiting = true, .dialect = Dialect::GitHub, .name = {}, .seq = piece.seq, .t = piece.t};
  return true;
}

bool SectionTracker::GitLabMarker(const Piece& piece, std::string_view body, LineState& line,
                                  std::uint64_t version) {
  std::string_view b = SkipLeadingCsi(body);
  const bool start = b.starts_with("section_start:");
  if (!start && !b.starts_with("section_end:")) return false;
  b.remove_prefix(start ? 14 : 12);
  std::size_t i = 0;
  while (i < b.size() && b[i] >= '0' && b[i] <= '9') ++i;
  if (i == 0 || i >= b.size() || b[i] != ':') return false;
  const std::size_t name_at = ++i;
  while (i < b.size() && GitLabNameChar(b[i])) ++i;
  if (i == name_at) return false;
  std::string name(b.substr(name_at, i - name_at));
  if (!start) {
    line.end = End{.waiting = true,
                   .dialect = Dialect::GitLab,
                   .name = std::move(name),
                   .seq = piece.seq,
                   .t = piece.t};
    return true;
  }
  bool collapsed = false;
  if (i < b.size() && b[i] == '[') {  // options: [collapsed=true], maybe among others
    const std::size_t close = b.find(']', i);
    const std::size_t options_end = close == std::string_view::npos ? b.size() : close;
    collapsed = HasOption(b.substr(i + 1, options_end - i - 1), "collapsed=true");
    i = close == std::string_view::npos ? b.size() : close + 1;
  }
  const std::string title = Title(text::Printable(b.substr(i)));
  const std::int64_t index =
      Start(Dialect::GitLab, title.empty() ? name : title, name, collapsed, piece, version);
  if (title.empty() && !piece.line_ends) line.title_for = index;
  return true;
}

bool SectionTracker::BuildkiteMarker(const Piece& piece, std::string_view text,
                                     std::uint64_t version) {
  if (text.starts_with("^^^ +++")) {  // reopens the Buildkite section it is in
    for (std::size_t k = open_.size(); k-- > 0;) {
      Section& s = sections_[open_[k].index];
      if (s.dialect != Dialect::Buildkite) continue;
      if (s.collapsed) {
        s.collapsed = false;
        s.version = version;
        ++changes_;
      }
      break;
    }
    return true;
  }
  const std::string_view mark = text.substr(0, 4);
  if (mark != "--- " && mark != "+++ " && mark != "~~~ ") return false;
  const std::string_view title = Trim(text.substr(4));
  if (title.empty()) return false;
  for (std::size_t k = open_.size(); k-- > 0;) {  // the section before ends where this begins
    if (sections_[open_[k].index].dialect == Dialect::Buildkite) {
      CloseFrom(k, piece.line_seq - 1, piece.line_t, version);
      break;
    }
  }
  Start(Dialect::Buildkite, title, {}, mark != "+++ ", piece, version);
  return true;
}

std::int64_t SectionTracker::Start(Dialect dialect, std::string_view title, std::string name,
                                   bool collapsed, const Piece& piece, std::uint64_t version) {
  // A marker on a line that began before the latest boundary and ended no later (a partial
  // line flushed at the end) has no place in the order: it is not kept either.
  if (sections_.size() >= max_sections_ || open_.size() >= kMaxDepth || piece.seq <= floor_) {
    if (dialect == Dialect::GitHub) ++github_unkept_;
    return -1;
  }
  Section s;
  s.title = Title(title);
  s.first = piece.line_seq > floor_ ? piece.line_seq : piece.seq;
  s.t_first = piece.line_t;
  s.depth = static_cast<std::uint32_t>(open_.size());
  s.parent = open_.empty() ? -1 : static_cast<std::int32_t>(open_.back().index);
  s.dialect = dialect;
  s.collapsed = collapsed;
  s.version = version;
  floor_ = s.first;
  ++changes_;
  const auto index = static_cast<std::uint32_t>(sections_.size());
  sections_.push_back(std::move(s));
  open_.push_back({index, std::move(name)});
  return index;
}

void SectionTracker::EndAt(const End& end, std::uint64_t version) {
  if (end.dialect == Dialect::GitHub && github_unkept_ > 0) {
    --github_unkept_;
    return;
  }
  for (std::size_t k = open_.size(); k-- > 0;) {
    const Section& s = sections_[open_[k].index];
    if (s.dialect == end.dialect && (end.dialect != Dialect::GitLab || open_[k].name == end.name)) {
      const std::uint32_t ended = open_[k].index;
      CloseFrom(k, end.seq, end.t, version);
      // Its last line is the marker's, unless the marker's line began before a boundary
      // that came later (then `last` moved past it: the marker is not at its end).
      if (sections_[ended].last == end.seq) sections_[ended].end_marker = end.seq;
      return;
    }
  }
}

void SectionTracker::CloseFrom(std::size_t depth, std::uint64_t last, std::uint32_t t,
                               std::uint64_t version) {
  last = std::max(last, floor_);
  floor_ = last;
  while (open_.size() > depth) {
    Section& s = sections_[open_.back().index];
    s.last = last;
    s.t_last = std::max(t, s.t_first);
    s.version = version;
    ++changes_;
    open_.pop_back();
  }
}

void SectionTracker::Error(std::uint64_t seq, std::uint64_t version) {
  const auto after =
      std::upper_bound(sections_.begin(), sections_.end(), seq,
                       [](std::uint64_t s, const Section& x) { return s < x.first; });
  std::int64_t at = (after - sections_.begin()) - 1;
  while (at >= 0 && !sections_[at].open() && sections_[at].last < seq) at = sections_[at].parent;
  for (; at >= 0 && !sections_[at].failed; at = sections_[at].parent) {
    sections_[at].failed = true;
    sections_[at].version = version;
    ++changes_;
  }
}

void SectionTracker::Gap(std::uint64_t version) {
  for (LineState& line : lines_) {
    if (line.end.waiting) EndAt(line.end, version);
    line = LineState{};
  }
}

void SectionTracker::Finish(std::uint64_t last_seq, std::uint32_t t, std::uint64_t version) {
  Gap(version);
  if (!open_.empty()) CloseFrom(0, last_seq, t, version);
  github_unkept_ = 0;
}

}  // namespace ssetail::index
