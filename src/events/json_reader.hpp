// A strict reader of one JSON text (RFC 8259), for what comes from outside: record lines,
// a Redis stream's entries and a run's meta. Hand-rolled: none of the project's libraries
// reads JSON, and these texts are small and flat.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ssetail::json {

// A cursor over `text`; every call skips the whitespace before what it reads and, when what
// is there is not what it asks for, returns false (the position is then unspecified).
// Not thread-safe; `text` must outlive the reader.
class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}

  // True when only whitespace is left.
  bool AtEnd();
  // Takes `c` if it is next.
  bool Consume(char c);
  // Takes `word` (`null`, `true`, …) if it is next.
  bool Word(std::string_view word);

  // A string: `raw` is its content between the quotes; when it holds an escape, `escaped`
  // is set and the decoded text is appended to `decoded` (a lone surrogate becomes U+FFFD).
  bool String(std::string_view& raw, std::string& decoded, bool& escaped);
  // A string, decoded into `out` (replacing what it held).
  bool String(std::string& out);
  bool Bool(bool& value);
  // An integer that fits `value`: no fraction, no exponent.
  bool Unsigned(std::uint32_t& value);
  bool Integer(std::int64_t& value);
  // Any value, skipped; nesting deeper than 64 is refused, so that a hostile text cannot
  // exhaust the stack.
  bool SkipValue();

  // The offset of the next byte to read.
  std::size_t position() const { return i_; }

 private:
  bool SkipValue(int depth);
  void SkipSpace();

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace ssetail::json
