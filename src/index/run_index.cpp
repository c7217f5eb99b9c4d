#include "index/run_index.hpp"

#include "index/line_text.hpp"
#include "text/printable.hpp"

namespace ssetail::index {

RunIndex::RunIndex(IndexOptions options)
    : options_(options), sections_(options.sections, options.max_sections) {}

void RunIndex::Add(std::uint64_t seq, EventType type, std::string_view text, std::uint32_t t_ms,
                   SegmentEnd end) {
  if (finished_ || seq <= last_seq_) return;
  if (last_seq_ != 0 && seq != last_seq_ + 1) Gap();
  last_seq_ = seq;
  if (!IsOutput(type)) return;
  last_output_seq_ = seq;
  const int stream = type == EventType::Stderr ? 1 : 0;
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
