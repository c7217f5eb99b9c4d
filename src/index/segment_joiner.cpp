#include "index/segment_joiner.hpp"

#include "text/utf8.hpp"

namespace ssetail::index {

void SegmentJoiner::Append(std::string_view text) {
  if (pending_.size() >= kMaxPieceBytes) return;
  const std::size_t room = kMaxPieceBytes - pending_.size();
  pending_.append(text.size() <= room ? text : text.substr(0, utf8::CutPoint(text, room)));
}

std::optional<Piece> SegmentJoiner::Add(std::uint64_t seq, std::string_view text, std::uint32_t t,
                                        SegmentEnd end) {
  if (clear_) {
    pending_.clear();
    clear_ = false;
  }
  if (line_seq_ == 0) {
    line_seq_ = seq;
    line_t_ = t;
  }
  last_seq_ = seq;
  last_t_ = t;
  if (end == SegmentEnd::Partial) {
    Append(text);
    return std::nullopt;
  }
  Piece piece{.raw = {},
              .line_seq = line_seq_,
              .line_t = line_t_,
              .seq = seq,
              .t = t,
              .line_ends = end == SegmentEnd::Newline};
  if (pending_.empty()) {
    piece.raw = text.substr(
        0, text.size() <= kMaxPieceBytes ? text.size() : utf8::CutPoint(text, kMaxPieceBytes));
  } else {
    Append(text);
    piece.raw = pending_;
    clear_ = true;
  }
  if (piece.line_ends) line_seq_ = 0;
  return piece;
}

std::optional<Piece> SegmentJoiner::Flush() {
  if (line_seq_ == 0) return std::nullopt;
  if (clear_) {
    pending_.clear();
    clear_ = false;
  }
  Piece piece{.raw = pending_,
              .line_seq = line_seq_,
              .line_t = line_t_,
              .seq = last_seq_,
              .t = last_t_,
              .line_ends = true};
  line_seq_ = 0;
  clear_ = true;
  return piece;
}

void SegmentJoiner::Reset() {
  pending_.clear();
  clear_ = false;
  line_seq_ = 0;
}

}  // namespace ssetail::index
