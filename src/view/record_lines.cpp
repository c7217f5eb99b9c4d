#include "view/record_lines.hpp"

#include <algorithm>
#include <cstring>

namespace ssetail {

void RecordLines::Feed(std::string_view bytes) {
  // What was returned goes; the incomplete line moves to the front (at most once per its
  // own size: the scan position moves with it, nothing is searched twice).
  if (begin_ > 0 && begin_ >= buffer_.size() / 2) {
    buffer_.erase(0, begin_);
    scanned_ -= begin_;
    begin_ = 0;
  }
  // Past the first line, NULs where a line starts are a hole (--record-max): dropped here,
  // a read at a time, so a hole of any size costs no memory.
  if (lines_ > 0 && buffer_.find_first_not_of('\0', begin_) == std::string::npos) {
    hole_bytes_ += buffer_.size() - begin_;
    buffer_.resize(begin_);
    scanned_ = begin_;
    const std::size_t nuls = std::min(bytes.find_first_not_of('\0'), bytes.size());
    hole_bytes_ += nuls;
    bytes.remove_prefix(nuls);
  }
  buffer_.append(bytes);
}

std::optional<std::string_view> RecordLines::Next() {
  const std::size_t from = std::max(scanned_, begin_);
  const std::size_t newline = buffer_.find('\n', from);
  const std::size_t end = newline == std::string::npos ? buffer_.size() : newline;
  if (lines_ == 0 && !first_line_nul_) {
    first_line_nul_ = std::memchr(buffer_.data() + from, '\0', end - from) != nullptr;
  }
  if (newline == std::string::npos) {
    scanned_ = buffer_.size();
    return std::nullopt;
  }
  std::string_view line = std::string_view(buffer_).substr(begin_, newline - begin_);
  begin_ = newline + 1;
  scanned_ = begin_;
  ++lines_;
  if (lines_ > 1) {
    const std::size_t nuls = std::min(line.find_first_not_of('\0'), line.size());
    hole_bytes_ += nuls;
    line.remove_prefix(nuls);
  }
  return line;
}

}  // namespace ssetail
