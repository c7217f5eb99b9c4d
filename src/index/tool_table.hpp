// The single-line matchers (SPEC §12): a table of tools and their patterns, compiled once.
// Most lines match nothing and must cost nothing: a row names either the text a line must
// begin with (found through the line's first byte) or texts around a ':' one of which the
// line must hold (looked for at each ':' of the line, memchr from one to the next); only
// then does the row's own RE2 run.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "index/problem.hpp"

namespace re2 {
class RE2;
}

namespace ssetail::index {

// What a row needs once its pattern matched.
enum class Then : std::uint8_t {
  Done,               // the problem is complete
  PlaceOnNextLine,    // rustc: its place is the next line, ` --> file:line:col`, if that is one
  MessageOnNextLine,  // a Rust panic, CMake: the message is the next line
};

// How a row's `code` group joins its message.
enum class Label : std::uint8_t {
  None,       // the message alone
  Bracketed,  // "[E0425] message"
  Colon,      // "C2065: message", "tests::it_fails: message"
};

// Rows whose captures need more than the generic reading.
enum class Shape : std::uint8_t {
  Plain,
  GitHubCommand,  // `props` holds `file=…,line=…,col=…,title=…`, %-escaped
  PytestSummary,  // `code` is the test id `path::test`: the file is its path
};

struct ToolRow {
  std::string_view tool;                         // the problem's `tool`
  std::string_view starts_with;                  // the line begins with this; or else
  std::array<std::string_view, 3> needles = {};  // it holds one of these, each with a ':'
  // RE2 over the whole line (printable, timestamp skipped). Named groups, all optional:
  // sev, file, line, col, code, msg, props.
  std::string_view pattern;
  Severity severity = Severity::Error;  // when there is no `sev` group
  Then then = Then::Done;
  Label label = Label::None;
  Shape shape = Shape::Plain;
  std::string_view not_if;  // RE2 over the message: a line like this is not a problem
  std::string_view tool_when_unplaced = {};  // PlaceOnNextLine without a code or a place
};

// The rows, in the order they are tried (those with `starts_with` first); at most 32.
std::span<const ToolRow> ToolRows();

// The captures of a row that matched, as views into the line.
struct RowMatch {
  const ToolRow* row = nullptr;
  std::string_view sev, file, line, col, code, msg, props;
};

// The table compiled: shared by every index, immutable after construction (thread-safe).
class ToolTable {
 public:
  // The one table, compiled at first use; a row that does not compile aborts (a bug caught
  // by the unit tests, never by users).
  static const ToolTable& Get();

  // The first row that matches `line`, unless the line is one of that row's `not_if`
  // lines (then no row does). False when nothing matches.
  bool Match(std::string_view line, RowMatch& match) const;

  // True when Match(line, …) is false without a look at any row: no row begins with the
  // line's first byte and the line has no ':' (every other row's needles hold one).
  bool Ignores(std::string_view line) const {
    return line.empty() || (by_first_byte_[static_cast<unsigned char>(line[0])].empty() &&
                            line.find(':') == std::string_view::npos);
  }

  ToolTable();
  ~ToolTable();
  ToolTable(const ToolTable&) = delete;
  ToolTable& operator=(const ToolTable&) = delete;

 private:
  struct Compiled;
  bool MatchRow(std::size_t row, std::string_view line, RowMatch& match) const;

  // The rows one of whose needles `line` holds, a bit per row.
  std::uint32_t NeedleRows(std::string_view line) const;

  struct Needle {
    std::string_view text;
    std::size_t colon;  // where its ':' is
    std::uint8_t row;
  };
  std::vector<std::unique_ptr<Compiled>> rows_;
  std::array<std::vector<std::uint8_t>, 256> by_first_byte_;  // rows with `starts_with`
  std::vector<Needle> needles_;                               // the other rows' needles
};

// A severity word of a tool ("error", "fatal error", "Warning", "FAILED", …) as a Severity.
Severity SeverityOf(std::string_view word, Severity otherwise);

}  // namespace ssetail::index
