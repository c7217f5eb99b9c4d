// What the run's index finds in the output (SPEC §12): problems, their severities and
// counts. Plain values; no behaviour.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ssetail::index {

enum class Severity : std::uint8_t { Error, Warning, Notice };

// "error", "warning" or "notice": the JSON and workflow-command spelling.
constexpr std::string_view SeverityName(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "notice";
}

// One diagnostic a tool printed. Every text is valid UTF-8 on one line (no control
// characters), at most kMaxFieldBytes long.
struct Problem {
  std::uint64_t seq = 0;  // the line the reader wants (its first event): what the page jumps to
  Severity severity = Severity::Error;
  std::string file;        // empty when the tool gave no file
  std::uint32_t line = 0;  // 0 when the tool gave no line
  std::uint32_t col = 0;   // 0 when the tool gave no column
  std::string message;
  std::string_view tool;  // a name from the matchers' table ("cc", "go test", …): static storage
};

// Longer files, messages and titles are cut (at a UTF-8 boundary): output is hostile input.
inline constexpr std::size_t kMaxFieldBytes = 1024;

struct Counts {
  std::uint64_t errors = 0;
  std::uint64_t warnings = 0;
  std::uint64_t notices = 0;

  void Add(Severity s) {
    (s == Severity::Error ? errors : s == Severity::Warning ? warnings : notices)++;
  }
  std::uint64_t total() const { return errors + warnings + notices; }
  bool operator==(const Counts&) const = default;
};

}  // namespace ssetail::index
