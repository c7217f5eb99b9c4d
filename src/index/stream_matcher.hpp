// The problems of one stream (SPEC §12): its complete lines, in order, through the
// multi-line matchers (Python, go test, ctest's list, a diagnostic waiting for its next
// line) and the table of single-line tools. Each stream has its own: a stdout line does
// not break a stderr traceback.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "index/go_test_matcher.hpp"
#include "index/problem.hpp"
#include "index/python_matcher.hpp"
#include "index/tool_table.hpp"

namespace ssetail::index {

class StreamMatcher {
 public:
  // Looks at one complete line (printable, timestamp skipped) whose first event is `seq`,
  // and appends the problems found: on this line or, for multi-line ones, an earlier one.
  void Line(std::uint64_t seq, std::string_view text, std::vector<Problem>& out);

  // Events were skipped, or the output ended: what waits for more lines is settled now.
  void Finish(std::vector<Problem>& out);

  // True when Line(…, text, …) would find nothing and change nothing (most lines of a
  // flood): a cheaper look than Line's, for the index's shortcut.
  bool Ignores(std::string_view text) const {
    if (waiting_ || ctest_list_ || (!text.empty() && text[0] == 'T')) return false;
    return python_.Ignores(text) && go_.Ignores(text) && ToolTable::Get().Ignores(text);
  }

 private:
  struct Waiting;
  bool CompleteWaiting(std::string_view text, std::vector<Problem>& out);
  static void Settle(Waiting& w, bool completed, std::vector<Problem>& out);
  bool CtestLine(std::uint64_t seq, std::string_view text, std::vector<Problem>& out);
  Problem FromRow(std::uint64_t seq, const RowMatch& m) const;

  struct Waiting {  // a problem whose next line says where, or what
    Problem problem;
    Then then = Then::Done;
    bool coded = false;  // its line had a code (`error[E0425]`)
    std::string_view tool_when_unplaced;
    std::string line;  // its own line: the message if the next one gives none
  };
  std::optional<Waiting> waiting_;
  bool ctest_list_ = false;  // reading ctest's `The following tests FAILED:` list
  PythonMatcher python_;
  GoTestMatcher go_;
};

}  // namespace ssetail::index
