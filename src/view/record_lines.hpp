// The lines of a record file as `--view` reads it (SPEC §9): bytes in, complete lines out,
// each scanned once, none longer than kLongestLine. Pure; no I/O (the fuzz target
// fuzz_view_lines feeds it whole files).
//
// A capped record (--record-max) holds a hole after its first line: NUL bytes, as many as
// the dropped lines took, before the next kept line. Those NULs are dropped as they come
// (they never count against the bound, however large the hole); the first line gets no such
// leniency, so /dev/zero is refused after one read instead of filling memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssetail {

class RecordLines {
 public:
  static constexpr std::size_t kLongestLine = 16 << 20;  // a longer "line" is not a record's

  // Takes the next bytes of the file. Call it only once Next has returned nothing (every
  // complete line taken), so that what is kept is one incomplete line at most.
  void Feed(std::string_view bytes);

  // The next complete line, without its newline and without the NULs of a hole before it;
  // nothing until more is fed. The view is valid until the next Feed or Next.
  std::optional<std::string_view> Next();

  // The number of the line Next returned last (1 for the first), as `sed -n Np` counts.
  std::uint64_t line_number() const { return lines_; }
  // Bytes of the incomplete line kept so far (a hole's NULs aside).
  std::size_t incomplete_size() const { return buffer_.size() - begin_; }
  // The incomplete line is longer than kLongestLine: it is no record's line.
  bool overlong() const { return incomplete_size() > kLongestLine; }
  // A NUL byte in the first line, complete or not: no record begins so.
  bool first_line_has_nul() const { return first_line_nul_; }
  // NUL bytes dropped as holes so far.
  std::uint64_t hole_bytes() const { return hole_bytes_; }

 private:
  std::string buffer_;
  std::size_t begin_ = 0;    // where the first line not returned yet starts
  std::size_t scanned_ = 0;  // buffer_[begin_, scanned_) holds no newline
  std::uint64_t lines_ = 0;
  std::uint64_t hole_bytes_ = 0;
  bool first_line_nul_ = false;
};

}  // namespace ssetail
