#include "index/go_test_matcher.hpp"

#include <re2/re2.h>

#include "index/line_text.hpp"

namespace ssetail::index {

namespace {

// A test's located line: indented, a .go file, a line number, the message.
const RE2& LocatedLine() {
  static const RE2 re(R"([ \t]+([^\s:]+\.go):(\d+): (.*))");
  return re;
}

// `--- FAIL: TestX/sub (0.01s)` (indented for a subtest): the verdict and the test.
const RE2& VerdictLine() {
  static const RE2 re(R"([ \t]*--- (FAIL|PASS|SKIP): (\S+) \([^)]*\))");
  return re;
}

// Located lines of tests without a verdict, kept at most: enough for -v output where
// parallel tests interleave, bounded whatever the output.
constexpr std::size_t kMaxLogged = 64;

bool Indented(std::string_view text) {
  return !text.empty() && (text[0] == ' ' || text[0] == '\t');
}

// `test` is `name` or one of its subtests.
bool OfTest(std::string_view test, std::string_view name) {
  return test.starts_with(name) && (test.size() == name.size() || test[name.size()] == '/');
}

}  // namespace

Problem GoTestMatcher::Error(std::uint64_t seq, std::string_view test, std::string_view message) {
  Problem p;
  p.seq = seq;
  p.severity = Severity::Error;
  p.tool = "go test";
  p.message = Field(std::string(test) + ": " + std::string(message));
  return p;
}

Problem GoTestMatcher::ErrorAt(const Located& located) {
  Problem p = Error(located.seq, located.test, located.message);
  p.file = located.file;
  p.line = located.line;
  return p;
}

bool GoTestMatcher::Line(std::uint64_t seq, std::string_view text, std::vector<Problem>& out) {
  if (text.empty()) return false;
  const char c = text[0];
  if (c != '=' && c != '-' && c != ' ' && c != '\t' && !block_.active) return false;
  if (c == '=' && text.starts_with("=== ")) {
    EndBlock(text, out);
    for (const std::string_view verb : {"RUN", "CONT", "NAME"}) {
      if (text.substr(4).starts_with(verb)) {
        running_ = Field(Trim(text.substr(4 + verb.size())));
        return true;
      }
    }
    return text.substr(4).starts_with("PAUSE");
  }
  if (Verdict(seq, text, out)) return true;
  if (!Indented(text)) {
    EndBlock(text, out);
    return false;
  }
  if ((!block_.active && running_.empty()) || text.find(".go:") == std::string_view::npos) {
    return false;
  }
  re2::StringPiece file, line, message;
  if (!RE2::FullMatch(re2::StringPiece(text.data(), text.size()), LocatedLine(), &file, &line,
                      &message)) {
    return false;
  }
  Located located{.test = block_.active ? block_.test : running_,
                  .seq = seq,
                  .file = Field(std::string_view(file.data(), file.size())),
                  .line = ParseLineNumber(std::string_view(line.data(), line.size())),
                  .message = std::string(message.data(), message.size())};
  if (block_.active) {  // without -v: under its test's verdict
    out.push_back(ErrorAt(located));
    block_.found = true;
  } else {  // with -v: before its verdict
    if (logged_.size() == kMaxLogged) logged_.pop_front();
    logged_.push_back(std::move(located));
  }
  return true;
}

bool GoTestMatcher::Verdict(std::uint64_t seq, std::string_view text, std::vector<Problem>& out) {
  if (text.substr(0, 12).find("--- ") == std::string_view::npos) return false;  // cheap
  re2::StringPiece verdict, test_piece;
  if (!RE2::FullMatch(re2::StringPiece(text.data(), text.size()), VerdictLine(), &verdict,
                      &test_piece)) {
    return false;
  }
  const std::string_view test(test_piece.data(), test_piece.size());
  const bool top_level = !Indented(text);
  if (top_level) EndBlock({}, out);
  bool found = false;
  for (auto it = logged_.begin(); it != logged_.end();) {
    if (!OfTest(it->test, test)) {
      ++it;
      continue;
    }
    if (verdict == "FAIL") {
      out.push_back(ErrorAt(*it));
      found = true;
    }
    it = logged_.erase(it);
  }
  if (verdict != "FAIL") return true;
  if (top_level) {
    block_ = FailBlock{
        .active = true, .top = Field(test), .test = Field(test), .seq = seq, .found = found};
  } else if (block_.active) {
    block_.test = Field(test);
    block_.found = block_.found || found;
  }
  return true;
}

void GoTestMatcher::EndBlock(std::string_view next_line, std::vector<Problem>& out) {
  if (!block_.active) return;
  block_.active = false;
  if (block_.found) return;
  // A test that failed without saying where: a panic says why on the next line.
  out.push_back(
      Error(block_.seq, block_.top, next_line.starts_with("panic: ") ? next_line : "failed"));
}

void GoTestMatcher::Finish(std::vector<Problem>& out) {
  EndBlock({}, out);
  logged_.clear();
  running_.clear();
}

}  // namespace ssetail::index
