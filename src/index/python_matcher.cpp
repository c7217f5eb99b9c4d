#include "index/python_matcher.hpp"

#include <re2/re2.h>

#include "index/line_text.hpp"

namespace ssetail::index {

namespace {

constexpr std::string_view kTraceback = "Traceback (most recent call last):";

// `  File "path", line N, in function`
const RE2& FrameLine() {
  static const RE2 re(R"re([ \t]+File "(.+)", line (\d+)(?:, in (\S+))?.*)re");
  return re;
}

// `FAIL: test_x (mod.Class.test_x)`, `ERROR: test_x (mod.Class)`, a subtest's `(i=1)` after.
const RE2& UnittestHeader() {
  static const RE2 re(R"((?:FAIL|ERROR): ((\w+) \([\w.]+\)(?: \(.*\))?))");
  return re;
}

// A pytest report's place line: `tests/test_x.py:9: AssertionError`, `tests/test_x.py:14: `.
const RE2& PytestPlaceLine() {
  static const RE2 re(R"(([^\s:]+\.py):(\d+):(?: .*)?)");
  return re;
}

// Reports remembered at most (pytest reports every failure before its summary).
constexpr std::size_t kMaxPytestPlaces = 1024;

bool Indented(std::string_view text) {
  return !text.empty() && (text[0] == ' ' || text[0] == '\t');
}

// An exception line: a dotted identifier, then the end or ':' (`ValueError: bad`,
// `json.decoder.JSONDecodeError: …`, `KeyboardInterrupt`).
bool ExceptionLine(std::string_view text) {
  std::size_t i = 0;
  const auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
  };
  if (text.empty() || !word(text[0])) return false;
  while (i < text.size() &&
         (word(text[i]) || text[i] == '.' || (text[i] >= '0' && text[i] <= '9'))) {
    ++i;
  }
  return i == text.size() || text[i] == ':';
}

// Python's own modules and installed packages: a traceback's place is the last frame
// outside them (the user's code), when there is one.
bool LibraryFile(std::string_view path) {
  return path.starts_with("<") || path.find("/lib/python") != std::string_view::npos ||
         path.find("-packages/") != std::string_view::npos;
}

// A line of only '-' or only '=' (unittest's separators), at least 20 long.
bool Separator(std::string_view text) {
  return text.size() >= 20 && (text.find_first_not_of('-') == std::string_view::npos ||
                               text.find_first_not_of('=') == std::string_view::npos);
}

}  // namespace

bool PythonMatcher::Line(std::uint64_t seq, std::string_view text, std::vector<Problem>& out) {
  if (in_traceback_ && TracebackLine(seq, text, out)) return true;
  if (text.empty()) return false;
  switch (text[0]) {
    case 'T':
      if (text != kTraceback) return false;
      in_traceback_ = true;
      own_frame_ = {};
      own_frame_is_own_ = false;
      test_frame_ = {};
      if (!unittest_test_.empty()) unittest_traceback_ = true;
      return true;
    case 'F':
    case 'E':
    case '-':
    case '=':
      return UnittestLine(text) || PytestReportLine(text);
    case '_':
      return PytestReportLine(text);
    default:
      return !pytest_test_.empty() && PytestReportLine(text);
  }
}

bool PythonMatcher::TracebackLine(std::uint64_t seq, std::string_view text,
                                  std::vector<Problem>& out) {
  if (Indented(text)) {
    re2::StringPiece file, line, function;
    if (RE2::FullMatch(re2::StringPiece(text.data(), text.size()), FrameLine(), &file, &line,
                       &function)) {
      const std::string_view path(file.data(), file.size());
      Frame frame{Field(path), ParseLineNumber(std::string_view(line.data(), line.size()))};
      if (!unittest_method_.empty() && function == unittest_method_) test_frame_ = frame;
      const bool own = !LibraryFile(path);
      if (own || !own_frame_is_own_) own_frame_ = frame;
      own_frame_is_own_ = own_frame_is_own_ || own;
    }
    return true;  // a frame, its source line, or its ^^^ marks
  }
  in_traceback_ = false;
  if (!ExceptionLine(text)) return false;
  const bool unittest = !unittest_test_.empty();
  if (unittest && unittest_reported_) return true;  // a chained traceback of the same test
  Problem p;
  p.seq = seq;
  p.severity = Severity::Error;
  const Frame& at = unittest && test_frame_.line != 0 ? test_frame_ : own_frame_;
  p.file = at.file;
  p.line = at.line;
  p.tool = unittest ? "unittest" : "python";
  p.message = Field(unittest ? unittest_test_ + ": " + std::string(text) : std::string(text));
  out.push_back(std::move(p));
  unittest_reported_ = unittest;
  return true;
}

bool PythonMatcher::UnittestLine(std::string_view text) {
  if (Separator(text)) {
    if (unittest_traceback_) {  // the failure's report ended
      unittest_test_.clear();
      unittest_method_.clear();
      unittest_traceback_ = unittest_reported_ = false;
    }
    return text[0] == '-';  // pytest's banners are lines of '=' with words: not these
  }
  if (text[0] != 'F' && text[0] != 'E') return false;
  re2::StringPiece test, method;
  if (!RE2::FullMatch(re2::StringPiece(text.data(), text.size()), UnittestHeader(), &test,
                      &method)) {
    return false;
  }
  unittest_test_ = Field(std::string_view(test.data(), test.size()));
  unittest_method_ = std::string(method.data(), method.size());
  unittest_traceback_ = unittest_reported_ = false;
  return true;
}

bool PythonMatcher::PytestReportLine(std::string_view text) {
  if (text.starts_with("___") && text.ends_with("___")) {  // `____ test_x ____`: a report
    const std::size_t from = text.find_first_not_of('_');
    const std::size_t to = text.find_last_not_of('_');
    if (from == std::string_view::npos || to < from) return false;
    pytest_test_ = Field(Trim(text.substr(from, to + 1 - from)));
    return true;
  }
  if (text.starts_with("===")) {  // a banner ends the report being read
    if (text.find(" test session starts ") != std::string_view::npos) pytest_places_.clear();
    pytest_test_.clear();
    return false;
  }
  if (pytest_test_.empty() || text.find(".py:") == std::string_view::npos) return false;
  re2::StringPiece file, line;
  if (!RE2::FullMatch(re2::StringPiece(text.data(), text.size()), PytestPlaceLine(), &file,
                      &line)) {
    return false;
  }
  if (pytest_places_.size() < kMaxPytestPlaces) {
    pytest_places_.push_back({pytest_test_, Field(std::string_view(file.data(), file.size())),
                              ParseLineNumber(std::string_view(line.data(), line.size()))});
  }
  return true;
}

std::uint32_t PythonMatcher::PytestLine(std::string_view file, std::string_view test) const {
  for (auto it = pytest_places_.rbegin(); it != pytest_places_.rend(); ++it) {
    if (it->test == test && it->file == file) return it->line;
  }
  return 0;
}

void PythonMatcher::Reset() {
  in_traceback_ = false;
  unittest_test_.clear();
  unittest_method_.clear();
  unittest_traceback_ = unittest_reported_ = false;
  pytest_test_.clear();
}

}  // namespace ssetail::index
