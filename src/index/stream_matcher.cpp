#include "index/stream_matcher.hpp"

#include <re2/re2.h>

#include "index/line_text.hpp"

namespace ssetail::index {

namespace {

// rustc's place: ` --> src/main.rs:4:20`.
const RE2& PlaceLine() {
  static const RE2 re(R"(\s*--> (.+?):(\d+):(\d+))");
  return re;
}

// An entry of ctest's list of failed tests: `\t  2 - name (Failed)`.
const RE2& CtestEntry() {
  static const RE2 re(R"(\s+\d+ - (.+ \(.+\)))");
  return re;
}

std::string_view View(const re2::StringPiece& piece) {
  return {piece.data(), piece.size()};
}

// A workflow command's %-escapes (GitHub's: %25 %0D %0A, and %3A %2C in properties).
std::string Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const std::string_view code = text.substr(i + 1, 2);
      const char decoded = code == "25"                   ? '%'
                           : code == "0D" || code == "0d" ? '\r'
                           : code == "0A" || code == "0a" ? '\n'
                           : code == "3A" || code == "3a" ? ':'
                           : code == "2C" || code == "2c" ? ','
                                                          : 0;
      if (decoded != 0) {
        out.push_back(decoded);
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

// `file=a.c,line=3,col=5,title=T` into the problem; the title goes before the message.
void ReadGitHubProperties(std::string_view props, Problem& p) {
  std::string title;
  while (!props.empty()) {
    const std::size_t comma = props.find(',');
    const std::string_view part = props.substr(0, comma);
    props = comma == std::string_view::npos ? std::string_view() : props.substr(comma + 1);
    const std::size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = Trim(part.substr(0, eq));
    const std::string value = Unescape(Trim(part.substr(eq + 1)));
    if (key == "file") p.file = Field(value);
    if (key == "line") p.line = ParseLineNumber(value);
    if (key == "col") p.col = ParseLineNumber(value);
    if (key == "title") title = value;
  }
  if (!title.empty()) p.message = Field(title + ": " + p.message);
}

}  // namespace

Problem StreamMatcher::FromRow(std::uint64_t seq, const RowMatch& m) const {
  const ToolRow& row = *m.row;
  Problem p;
  p.seq = seq;
  p.severity = SeverityOf(m.sev, row.severity);
  p.tool = row.tool;
  p.file = Field(m.file);
  p.line = ParseLineNumber(m.line);
  p.col = ParseLineNumber(m.col);
  std::string message(m.msg);
  if (!m.code.empty() && row.label == Label::Bracketed) {
    message.insert(0, "] ").insert(0, m.code).insert(0, "[");
  } else if (!m.code.empty() && row.label == Label::Colon) {
    message = std::string(m.code) + ": " + message;
  }
  if (row.shape == Shape::GitHubCommand) {
    p.message = Field(Unescape(m.msg));
    ReadGitHubProperties(m.props, p);
    return p;
  }
  if (row.shape == Shape::PytestSummary) {  // `path::Class::test[param] - message`
    const std::size_t sep = m.code.find("::");
    const std::string_view path = m.code.substr(0, sep);
    std::string_view test = m.code;  // the message names the test; the path is the file
    if (path.ends_with(".py")) {
      p.file = Field(path);
      if (sep != std::string_view::npos) {
        test = m.code.substr(sep + 2);
        std::string name;  // as its report's header has it: Class.test
        for (std::string_view rest = test;;) {
          const std::size_t at = rest.find("::");
          name.append(rest.substr(0, at));
          if (at == std::string_view::npos) break;
          name += '.';
          rest.remove_prefix(at + 2);
        }
        p.line = python_.PytestLine(path, name);
      }
    }
    message = m.msg.empty() ? std::string(test) : std::string(test) + " - " + std::string(m.msg);
  }
  p.message = Field(message);
  return p;
}

bool StreamMatcher::CompleteWaiting(std::string_view text, std::vector<Problem>& out) {
  Waiting w = std::move(*waiting_);
  waiting_.reset();
  bool used = false;
  if (w.then == Then::PlaceOnNextLine) {
    re2::StringPiece file, line, col;
    used =
        RE2::FullMatch(re2::StringPiece(text.data(), text.size()), PlaceLine(), &file, &line, &col);
    if (used) {
      w.problem.file = Field(View(file));
      w.problem.line = ParseLineNumber(View(line));
      w.problem.col = ParseLineNumber(View(col));
    }
  } else if (const std::string_view next = Trim(text); !next.empty()) {
    w.problem.message = Field(w.problem.message + std::string(next));
    used = true;
  }
  Settle(w, used, out);
  return used;
}

void StreamMatcher::Settle(Waiting& w, bool completed, std::vector<Problem>& out) {
  if (!completed && w.then == Then::PlaceOnNextLine && !w.coded && !w.tool_when_unplaced.empty()) {
    w.problem.tool = w.tool_when_unplaced;  // `error: …` from some tool other than rustc
  }
  if (!completed && w.then == Then::MessageOnNextLine) w.problem.message = std::move(w.line);
  out.push_back(std::move(w.problem));
}

bool StreamMatcher::CtestLine(std::uint64_t seq, std::string_view text, std::vector<Problem>& out) {
  if (!ctest_list_) {
    if (text != "The following tests FAILED:") return false;
    ctest_list_ = true;
    return true;
  }
  re2::StringPiece entry;
  if (!RE2::FullMatch(re2::StringPiece(text.data(), text.size()), CtestEntry(), &entry)) {
    ctest_list_ = false;
    return false;
  }
  Problem p;
  p.seq = seq;
  p.tool = "ctest";
  p.message = Field(View(entry));
  out.push_back(std::move(p));
  return true;
}

void StreamMatcher::Line(std::uint64_t seq, std::string_view text, std::vector<Problem>& out) {
  if (waiting_ && CompleteWaiting(text, out)) return;
  if ((ctest_list_ || (!text.empty() && text[0] == 'T')) && CtestLine(seq, text, out)) return;
  if (python_.Line(seq, text, out)) return;
  if (go_.Line(seq, text, out)) return;
  RowMatch m;
  if (!ToolTable::Get().Match(text, m)) return;
  Problem p = FromRow(seq, m);
  if (m.row->then == Then::Done) {
    out.push_back(std::move(p));
    return;
  }
  Waiting w{.problem = std::move(p),
            .then = m.row->then,
            .coded = !m.code.empty(),
            .tool_when_unplaced = m.row->tool_when_unplaced,
            .line = Field(text)};
  if (w.then == Then::MessageOnNextLine) {  // the next line is the message, after the label
    w.problem.message =
        m.code.empty() || m.row->label != Label::Colon ? std::string() : std::string(m.code) + ": ";
  }
  waiting_ = std::move(w);
}

void StreamMatcher::Finish(std::vector<Problem>& out) {
  if (waiting_) {
    Settle(*waiting_, false, out);
    waiting_.reset();
  }
  ctest_list_ = false;
  python_.Reset();
  go_.Finish(out);
}

}  // namespace ssetail::index
