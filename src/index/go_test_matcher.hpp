// `go test`'s failures (SPEC §12), on one stream's complete lines. A test's
// `    x_test.go:N: message` lines are errors once its `--- FAIL: TestX (…)` says it failed:
// with -v they come before that line (and a passing test may log such lines too), without
// -v after it, indented under it. A failed test that gave no such line (a panic) is an
// error at its `--- FAIL:` line.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "index/problem.hpp"

namespace ssetail::index {

class GoTestMatcher {
 public:
  // Looks at one complete line (printable, timestamp skipped) whose first event is `seq`;
  // appends the problems it completes, which may lie on earlier lines. True when the line
  // was go test's own, so that no other matcher needs to see it.
  bool Line(std::uint64_t seq, std::string_view text, std::vector<Problem>& out);

  // The output ended, or events were skipped: what waits for a next line is settled.
  void Finish(std::vector<Problem>& out);

  // True when Line(…, text, …) would find nothing and change nothing: no failure's block is
  // open and `text` begins with none of go test's first bytes.
  bool Ignores(std::string_view text) const {
    if (block_.active) return false;
    if (text.empty()) return true;
    const char c = text[0];
    return c != '=' && c != '-' && c != ' ' && c != '\t';
  }

 private:
  struct Located {  // a `x_test.go:N: message` line
    std::string test;
    std::uint64_t seq;
    std::string file;
    std::uint32_t line;
    std::string message;
  };
  struct FailBlock {  // the lines indented under a top-level `--- FAIL:`
    bool active = false;
    std::string top;   // the top-level test
    std::string test;  // the (sub)test the lines are of
    std::uint64_t seq = 0;
    bool found = false;  // it gave a located line
  };

  bool Verdict(std::uint64_t seq, std::string_view text, std::vector<Problem>& out);
  void EndBlock(std::string_view next_line, std::vector<Problem>& out);
  static Problem Error(std::uint64_t seq, std::string_view test, std::string_view message);
  static Problem ErrorAt(const Located& located);

  std::string running_;         // the test that === RUN / CONT / NAME named last
  std::deque<Located> logged_;  // located lines of tests without a verdict yet (-v)
  FailBlock block_;
};

}  // namespace ssetail::index
