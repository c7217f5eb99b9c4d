#include "index/tool_table.hpp"

#include <re2/re2.h>

#include <bit>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace ssetail::index {

namespace {

// Summaries that look like diagnostics, and git's line-ending notice: not problems.
constexpr std::string_view kNotDiagnostics =
    R"((?:aborting due to .*|could not compile .*|test failed, to rerun .*|build failed.*)"
    R"(|\d+ warnings? emitted|.*\bgenerated \d+ warnings?\b.*)"
    R"(|.*\bLF will be replaced by CRLF\b.*|.*\bCRLF will be replaced by LF\b.*))";

constexpr ToolRow kRows[] = {
    // GitHub Actions workflow commands, and the form a downloaded raw log has them in.
    {.tool = "github",
     .starts_with = "::",
     .pattern = R"(::(?P<sev>error|warning|notice)(?: (?P<props>[^:]*))?::(?P<msg>.*))",
     .shape = Shape::GitHubCommand},
    {.tool = "github",
     .starts_with = "##[",
     .pattern = R"(##\[(?P<sev>error|warning|notice)\](?P<msg>.*))"},
    // rustc and cargo (and the many tools that print `error: …`): the place, if any, is on
    // the next line.
    {.tool = "rustc",
     .starts_with = "error",
     .pattern = R"((?P<sev>error)(?:\[(?P<code>[A-Z]+\d+)\])?: (?P<msg>.+))",
     .then = Then::PlaceOnNextLine,
     .label = Label::Bracketed,
     .not_if = kNotDiagnostics,
     .tool_when_unplaced = "generic"},
    {.tool = "rustc",
     .starts_with = "warning",
     .pattern = R"((?P<sev>warning)(?:\[(?P<code>[A-Z]+\d+)\])?: (?P<msg>.+))",
     .then = Then::PlaceOnNextLine,
     .label = Label::Bracketed,
     .not_if = kNotDiagnostics,
     .tool_when_unplaced = "generic"},
    // A Rust panic (a failing `cargo test`): Rust 1.73 on puts the message on the next line
    // and 1.9x adds the thread's id; before, it was quoted on the same line.
    {.tool = "rust panic",
     .starts_with = "thread '",
     .pattern = R"(thread '(?P<code>[^']*)'(?: \(\d+\))? panicked at )"
                R"((?P<file>[^:\s]+?):(?P<line>\d+):(?P<col>\d+):)",
     .then = Then::MessageOnNextLine,
     .label = Label::Colon},
    {.tool = "rust panic",
     .starts_with = "thread '",
     .pattern = R"(thread '(?P<code>[^']*)'(?: \(\d+\))? panicked at '(?P<msg>.*)', )"
                R"((?P<file>[^:\s]+?):(?P<line>\d+):(?P<col>\d+))",
     .label = Label::Colon},
    // CMake's configure step: the message is the indented line after the place.
    {.tool = "cmake",
     .starts_with = "CMake ",
     .pattern = R"(CMake (?P<sev>Error|Warning|Deprecation Warning)(?: \(dev\))? at )"
                R"((?P<file>.+?):(?P<line>\d+) \((?P<code>\w+)\):)",
     .then = Then::MessageOnNextLine,
     .label = Label::Colon},
    {.tool = "cmake",
     .starts_with = "CMake ",
     .pattern = R"(CMake (?P<sev>Error|Warning)(?: \(dev\))?: (?P<msg>.+))"},
    // pytest's short test summary. The id never begins with '(': unittest's closing
    // `FAILED (failures=2)` is a count, not a failure of its own.
    {.tool = "pytest",
     .starts_with = "FAILED ",
     .pattern = R"((?P<sev>FAILED) (?P<code>[^\s(]\S*?)(?: - (?P<msg>.*))?)",
     .shape = Shape::PytestSummary},
    {.tool = "pytest",
     .starts_with = "ERROR ",
     .pattern = R"((?P<sev>ERROR) (?P<code>[^\s(]\S*?)(?: - (?P<msg>.*))?)",
     .shape = Shape::PytestSummary},

    // ---- rows found by the text around a ':' ----
    // gcc and clang (`note:` is not a problem).
    {.tool = "cc",
     .needles = {": error: ", ": warning: ", ": fatal error: "},
     .pattern = R"((?P<file>[^\s:][^:]*):(?P<line>\d+):(?:(?P<col>\d+):)? )"
                R"((?P<sev>fatal error|error|warning): (?P<msg>.*))"},
    // MSVC: `file(line[,col]): error C2065: message`.
    {.tool = "msvc",
     .needles = {": error ", ": warning ", ": fatal error "},
     .pattern = R"((?P<file>.+?)\((?P<line>\d+)(?:,(?P<col>\d+))?\) ?: )"
                R"((?P<sev>fatal error|error|warning) (?P<code>[A-Z]+\d+): ?(?P<msg>.*))",
     .label = Label::Colon},
    // The Go compiler and vet: no severity word, always an error.
    {.tool = "go",
     .needles = {".go:"},
     .pattern = R"((?P<file>\S+\.go):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*))"},
    // The linker (through gcc or clang): with debug information it knows the line.
    {.tool = "ld",
     .needles = {": undefined reference to ", ": multiple definition of "},
     .pattern = R"((?P<file>[^\s:][^:]*):(?:(?P<line>\d+)|\([^)]*\)): )"
                R"((?P<msg>(?:undefined reference to|multiple definition of) .*))"},
    // make's own failure: an error without a file, its line the message (the rule's place
    // is in it).
    {.tool = "make",
     .needles = {": *** "},
     .pattern = R"((?P<msg>(?:\S*/)?g?make(?:\[\d+\])?: \*\*\* .*))",
     .not_if = R"(.*\*\*\* Waiting for unfinished jobs.*)"},
};

// The named groups a row may use, in RowMatch's order.
constexpr std::string_view kGroups[] = {"sev", "file", "line", "col", "code", "msg", "props"};
constexpr std::size_t kGroupCount = std::size(kGroups);

RE2::Options PatternOptions() {
  RE2::Options options;
  options.set_log_errors(false);
  return options;
}

[[noreturn]] void BadRow(std::string_view pattern, const std::string& why) {
  std::fprintf(stderr, "ssetail: bad matcher pattern %.*s: %s\n", static_cast<int>(pattern.size()),
               pattern.data(), why.c_str());
  std::abort();
}

}  // namespace

struct ToolTable::Compiled {
  const ToolRow* row;
  RE2 re;
  std::unique_ptr<RE2> not_if;
  std::array<int, kGroupCount> group{};  // capture index of each named group, 0 if absent
  int captures = 0;

  explicit Compiled(const ToolRow& r)
      : row(&r), re(re2::StringPiece(r.pattern.data(), r.pattern.size()), PatternOptions()) {
    if (!re.ok()) BadRow(r.pattern, re.error());
    captures = re.NumberOfCapturingGroups();
    const auto& names = re.NamedCapturingGroups();
    for (std::size_t g = 0; g < kGroupCount; ++g) {
      const auto it = names.find(std::string(kGroups[g]));
      if (it != names.end()) group[g] = it->second;
    }
    if (!r.not_if.empty()) {
      not_if = std::make_unique<RE2>(re2::StringPiece(r.not_if.data(), r.not_if.size()),
                                     PatternOptions());
      if (!not_if->ok()) BadRow(r.not_if, not_if->error());
    }
  }
};

std::span<const ToolRow> ToolRows() {
  return kRows;
}

const ToolTable& ToolTable::Get() {
  static const ToolTable table;
  return table;
}

ToolTable::ToolTable() {
  static_assert(std::size(kRows) <= 32, "NeedleRows keeps a bit per row");
  for (std::size_t i = 0; i < std::size(kRows); ++i) {
    const ToolRow& row = kRows[i];
    rows_.push_back(std::make_unique<Compiled>(row));
    if (!row.starts_with.empty()) {
      by_first_byte_[static_cast<unsigned char>(row.starts_with[0])].push_back(
          static_cast<std::uint8_t>(i));
      continue;
    }
    for (const std::string_view needle : row.needles) {
      if (needle.empty()) continue;
      const std::size_t colon = needle.find(':');
      if (colon == std::string_view::npos) BadRow(needle, "a needle must hold a ':'");
      needles_.push_back({needle, colon, static_cast<std::uint8_t>(i)});
    }
  }
}

ToolTable::~ToolTable() = default;

bool ToolTable::MatchRow(std::size_t index, std::string_view line, RowMatch& match) const {
  const Compiled& c = *rows_[index];
  constexpr int kMaxCaptures = 16;
  re2::StringPiece captured[kMaxCaptures];
  const int n = std::min(c.captures + 1, kMaxCaptures);
  if (!c.re.Match(re2::StringPiece(line.data(), line.size()), 0, line.size(), RE2::ANCHOR_BOTH,
                  captured, n)) {
    return false;
  }
  std::string_view* fields[kGroupCount] = {&match.sev,  &match.file, &match.line, &match.col,
                                           &match.code, &match.msg,  &match.props};
  for (std::size_t g = 0; g < kGroupCount; ++g) {
    const int at = c.group[g];
    *fields[g] = at > 0 && at < n ? std::string_view(captured[at].data(), captured[at].size())
                                  : std::string_view();
  }
  match.row = c.row;
  return true;
}

std::uint32_t ToolTable::NeedleRows(std::string_view line) const {
  std::uint32_t rows = 0;
  for (std::size_t at = line.find(':'); at != std::string_view::npos; at = line.find(':', at + 1)) {
    for (const Needle& n : needles_) {
      if (at >= n.colon && line.compare(at - n.colon, n.text.size(), n.text) == 0) {
        rows |= 1u << n.row;
      }
    }
  }
  return rows;
}

bool ToolTable::Match(std::string_view line, RowMatch& match) const {
  if (line.empty()) return false;
  const auto found = [&](std::size_t index) {
    const Compiled& c = *rows_[index];
    if (!c.not_if) return true;
    return !RE2::FullMatch(re2::StringPiece(match.msg.data(), match.msg.size()), *c.not_if);
  };
  for (const std::uint8_t index : by_first_byte_[static_cast<unsigned char>(line[0])]) {
    const std::string_view prefix = rows_[index]->row->starts_with;
    if (line.substr(0, prefix.size()) == prefix && MatchRow(index, line, match)) {
      return found(index);
    }
  }
  for (std::uint32_t rows = NeedleRows(line); rows != 0; rows &= rows - 1) {
    const auto index = static_cast<std::size_t>(std::countr_zero(rows));
    if (MatchRow(index, line, match)) return found(index);
  }
  return false;
}

Severity SeverityOf(std::string_view word, Severity otherwise) {
  if (word.empty()) return otherwise;
  if (word == "notice") return Severity::Notice;
  if (word.find("arning") != std::string_view::npos) return Severity::Warning;
  return Severity::Error;
}

}  // namespace ssetail::index
