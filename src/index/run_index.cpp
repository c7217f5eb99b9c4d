#include "index/run_index.hpp"

#include <cstdint>
#include <cstring>

#include "index/line_text.hpp"
#include "text/printable.hpp"

namespace ssetail::index {

RunIndex::RunIndex(IndexOptions options)
    : options_(options), sections_(options.sections, options.max_sections) {}

namespace {

// Printable ASCII (no control, no TAB, no DEL, nothing above 0x7e), no ':', not beginning
// with '[' (a progress line). A word at a time: compilers' command lines are long.
bool PlainLine(std::string_view text) {
  if (!text.empty() && text[0] == '[') return false;
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  // The high bit of each byte of `w` below `n` (exact as to whether there is one, n <= 0x80).
  const auto below = [](std::uint64_t w, std::uint64_t n) { return (w - kOnes * n) & ~w & kHigh; };
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    if ((w & kHigh) | below(w, 0x20) | below(w ^ (kOnes * 0x7f), 1) | below(w ^ (kOnes * ':'), 1)) {
      return false;
    }
  }
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c < 0x20 || c > 0x7e || c == ':') return false;
  }
  return true;
}

}  // namespace

void RunIndex::Add(std::uint64_t seq, EventType type, std::string_view text, std::uint32_t t_ms,
                   SegmentEnd end) {
  if (finished_ || seq <= last_seq_) return;
  if (last_seq_ != 0 && seq != last_seq_ + 1) Gap();
  last_seq_ = seq;
  if (!IsOutput(type)) return;
  last_output_seq_ = seq;
  const int stream = type == EventType::Stderr ? 1 : 0;
  // Most lines of a flood (`seq`, a compiler's command lines) are nothing to any reader: one
  // look settles them (index_bench: ~2.5x the lines a second). A line that takes this way is
  // one Look would change nothing for: printable ASCII without ':' (so no timestamp to skip
  // and nothing to remove), not a progress line, and its readers ignore it in their state.
  if (end == SegmentEnd::Newline && joiners_[stream].Idle() && PlainLine(text) &&
      sections_.Ignores(stream, text) && matchers_[stream].Ignores(text)) {
    return;
  }
  if (const auto piece = joiners_[stream].Add(seq, text, t_ms, end)) Look(stream, *piece);
}

void RunIndex::Look(int stream, const Piece& piece) {
  std::string_view body = SkipTimestamp(piece.raw);
  std::string_view text = text::PrintableView(body, scratch_);
  if (!text.empty() && text[0] == ':' && !WorkflowCommand(text)) body = text = {};
  const std::uint64_t changes = sections_.changes();
  sections_.OnPiece(stream, piece, body, text, version_ + 1);
  if (sections_.changes() != changes) ++version_;
  if (!text.empty() && text[0] == '[') {
    if (const auto fraction = ParseProgress(text)) {
      progress_ = Progress{*fraction, piece.line_seq, piece.t};
      ++version_;
    }
  }
  if (piece.line_ends) {
    matchers_[stream].Line(piece.line_seq, text, found_);
    Keep(found_);
  }
}

// False for a workflow command GitHub would not act on: one between `::stop-commands::TOKEN`
// and `::TOKEN::`, and those two lines themselves.
bool RunIndex::WorkflowCommand(std::string_view text) {
  if (!stop_token_.empty()) {  // commands are off until the token comes back
    if (text != stop_token_) return false;
    stop_token_.clear();
    return false;
  }
  if (text.starts_with("::stop-commands::")) {
    const std::string_view token = text.substr(17);
    if (!token.empty()) stop_token_ = "::" + std::string(token) + "::";
    return false;
  }
  return true;
}

void RunIndex::Keep(std::vector<Problem>& found) {
  for (Problem& p : found) {
    ++version_;
    counts_.Add(p.severity);
    if (p.severity == Severity::Error) sections_.Error(p.seq, version_);
    if (problems_.size() >= options_.max_problems) continue;
    // Line order: almost always at the end; a Go test's earlier line goes before later ones.
    auto at = line_order_.end();
    while (at != line_order_.begin() && problems_[*(at - 1)].seq > p.seq) --at;
    line_order_.insert(at, static_cast<std::uint32_t>(problems_.size()));
    problems_.push_back(std::move(p));
  }
  found.clear();
}

void RunIndex::Gap() {
  for (int stream = 0; stream < 2; ++stream) {
    joiners_[stream].Reset();
    matchers_[stream].Finish(found_);
  }
  Keep(found_);
  sections_.Gap(++version_);
}

void RunIndex::Finish(std::uint32_t t_ms) {
  if (finished_) return;
  for (int stream = 0; stream < 2; ++stream) {
    if (const auto piece = joiners_[stream].Flush()) Look(stream, *piece);
    matchers_[stream].Finish(found_);
    Keep(found_);
  }
  sections_.Finish(last_output_seq_, t_ms, ++version_);
  finished_ = true;
}

const Problem* RunIndex::FirstError() const {
  for (const std::uint32_t i : line_order_) {
    if (problems_[i].severity == Severity::Error) return &problems_[i];
  }
  return nullptr;
}

}  // namespace ssetail::index
