// Python's problems (SPEC §12) on one stream's complete lines: a traceback is an error at
// its exception line (what a reader wants), placed at its last frame in the user's
// code (not Python's library); inside a unittest
// failure (`FAIL: test_x (mod.Class.test_x)` / `ERROR: …`) it is that test's error, placed
// at the test method's frame. For pytest, it remembers where each failure's report points
// (`tests/test_x.py:9: AssertionError`), so that the summary's `FAILED` line gets a line.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "index/problem.hpp"

namespace ssetail::index {

class PythonMatcher {
 public:
  // Looks at one complete line whose first event is `seq`; appends a problem it completes.
  // True when the line was Python's own, so that no other matcher needs to see it.
  bool Line(std::uint64_t seq, std::string_view text, std::vector<Problem>& out);

  // The line of `file` that pytest's report of `test` (as its header names it:
  // `test_x`, `TestClass.test_x[param]`) points at last; 0 if none was seen.
  std::uint32_t PytestLine(std::string_view file, std::string_view test) const;

  // Events were skipped or the output ended: a traceback in progress is dropped.
  void Reset();

  // True when Line(…, text, …) would find nothing and change nothing: no traceback or
  // report is being read and `text` begins with none of Python's own first bytes.
  bool Ignores(std::string_view text) const {
    if (in_traceback_ || !pytest_test_.empty()) return false;
    if (text.empty()) return true;
    const char c = text[0];
    return c != 'T' && c != 'F' && c != 'E' && c != '-' && c != '=' && c != '_';
  }

 private:
  struct Frame {
    std::string file;
    std::uint32_t line = 0;
  };
  struct PytestPlace {
    std::string test;
    std::string file;
    std::uint32_t line;
  };

  bool TracebackLine(std::uint64_t seq, std::string_view text, std::vector<Problem>& out);
  bool UnittestLine(std::string_view text);
  bool PytestReportLine(std::string_view text);

  bool in_traceback_ = false;
  // The traceback's last frame outside Python's library (or its last frame, if all are in it).
  Frame own_frame_;
  bool own_frame_is_own_ = false;
  Frame test_frame_;  // its last frame in the unittest test's method

  std::string unittest_test_;        // `test_x (mod.Class.test_x)` while its failure is reported
  std::string unittest_method_;      // `test_x`
  bool unittest_traceback_ = false;  // its traceback began
  bool unittest_reported_ = false;   // its problem was given

  std::string pytest_test_;  // the failure report being read (its header's name)
  std::vector<PytestPlace> pytest_places_;
};

}  // namespace ssetail::index
