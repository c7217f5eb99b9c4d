#include "compare/normalize.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include "text/printable.hpp"

namespace ssetail::compare {

namespace {

bool IsDigit(unsigned char c) {
  return c >= '0' && c <= '9';
}
bool IsHex(unsigned char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsAlpha(unsigned char c) {
  return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}
// Letters of any script count as word bytes: a pattern never starts inside a word.
bool IsWord(unsigned char c) {
  return IsDigit(c) || IsAlpha(c) || c == '_' || c >= 0x80;
}

unsigned char At(std::string_view s, std::size_t i) {
  return i < s.size() ? static_cast<unsigned char>(s[i]) : 0;
}
bool WordAt(std::string_view s, std::size_t i) {
  return i < s.size() && IsWord(At(s, i));
}

std::size_t SkipDigits(std::string_view s, std::size_t i) {
  while (IsDigit(At(s, i))) ++i;
  return i;
}

// `count` digits at i, or npos.
std::size_t Digits(std::string_view s, std::size_t i, std::size_t count) {
  for (std::size_t k = 0; k < count; ++k) {
    if (!IsDigit(At(s, i + k))) return std::string_view::npos;
  }
  return i + count;
}

std::size_t HexRun(std::string_view s, std::size_t i, std::size_t count) {
  for (std::size_t k = 0; k < count; ++k) {
    if (!IsHex(At(s, i + k))) return std::string_view::npos;
  }
  return i + count;
}

constexpr std::size_t kNone = std::string_view::npos;

// A replacement: s[start, end) becomes `keep` raw bytes from start, then `text`.
struct Match {
  std::size_t end = kNone;
  std::string_view text;
  std::size_t keep = 0;
};

// Where a pattern with optional parts may end, longest first. A pattern takes the longest
// end that a boundary follows, like a backtracking regex: were it to give up instead, a
// second pass could find a shorter form once what follows was replaced (not idempotent).
struct Ends {
  std::array<std::size_t, 12> at{};
  std::size_t count = 0;
  void Add(std::size_t end) {
    if (count < at.size()) at[count++] = end;
  }
  void SortLongestFirst() { std::sort(at.begin(), at.begin() + count, std::greater<>()); }
};

// After a time ending at p: Z, +HH, +HHMM or +HH:MM (and the shorter forms).
void AddZones(std::string_view s, std::size_t p, Ends& ends) {
  ends.Add(p);
  if (At(s, p) == 'Z') ends.Add(p + 1);
  if (At(s, p) != '+' && At(s, p) != '-') return;
  const std::size_t hours = Digits(s, p + 1, 2);
  if (hours == kNone) return;
  ends.Add(hours);
  const std::size_t minutes = Digits(s, At(s, hours) == ':' ? hours + 1 : hours, 2);
  if (minutes != kNone) ends.Add(minutes);
}

// H:MM or HH:MM (only if `minutes_enough`), :SS, .fraction, a zone: every end it can have.
void AddTimes(std::string_view s, std::size_t i, bool minutes_enough, Ends& ends) {
  const std::size_t colon = IsDigit(At(s, i + 1)) ? i + 2 : i + 1;
  if (!IsDigit(At(s, i)) || At(s, colon) != ':') return;
  const std::size_t minutes = Digits(s, colon + 1, 2);
  if (minutes == kNone) return;
  if (minutes_enough) AddZones(s, minutes, ends);
  const std::size_t seconds = At(s, minutes) == ':' ? Digits(s, minutes + 1, 2) : kNone;
  if (seconds == kNone) return;
  AddZones(s, seconds, ends);
  if ((At(s, seconds) == '.' || At(s, seconds) == ',') && IsDigit(At(s, seconds + 1))) {
    AddZones(s, SkipDigits(s, seconds + 1), ends);
  }
}

// 2024-01-15, 2024/01/15, then [T ]10:23[:45[.123]][zone].
Match DateTime(std::string_view s, std::size_t i, unsigned char /*prev*/) {
  const unsigned char sep = At(s, i + 4);
  if ((sep != '-' && sep != '/') || Digits(s, i, 4) == kNone || Digits(s, i + 5, 2) == kNone ||
      At(s, i + 7) != sep || Digits(s, i + 8, 2) == kNone) {
    return {};
  }
  Ends ends;
  ends.Add(i + 10);
  if (At(s, i + 10) == 'T' || At(s, i + 10) == ' ') AddTimes(s, i + 11, true, ends);
  ends.SortLongestFirst();
  for (std::size_t k = 0; k < ends.count; ++k) {
    if (!WordAt(s, ends.at[k])) return {ends.at[k], kTimePlaceholder};
  }
  return {};
}

Match Clock(std::string_view s, std::size_t i, unsigned char prev) {
  if (prev == ':' || prev == '.') return {};  // file.c:12:34:56
  Ends ends;
  AddTimes(s, i, false, ends);
  ends.SortLongestFirst();
  for (std::size_t k = 0; k < ends.count; ++k) {
    if (!WordAt(s, ends.at[k]) && At(s, ends.at[k]) != ':') return {ends.at[k], kTimePlaceholder};
  }
  return {};
}

Match Address(std::string_view s, std::size_t i, unsigned char /*prev*/) {
  if (At(s, i) != '0' || (At(s, i + 1) | 0x20) != 'x' || HexRun(s, i + 2, 4) == kNone) return {};
  std::size_t p = i + 6;
  while (IsHex(At(s, p))) ++p;
  if (WordAt(s, p)) return {};
  return {p, kAddressPlaceholder};
}

Match Uuid(std::string_view s, std::size_t i, unsigned char /*prev*/) {
  if (At(s, i + 8) != '-' || HexRun(s, i, 8) == kNone) return {};
  std::size_t p = i + 9;
  for (const std::size_t group : {4, 4, 4}) {
    p = HexRun(s, p, group);
    if (p == kNone || At(s, p) != '-') return {};
    ++p;
  }
  p = HexRun(s, p, 12);
  if (p == kNone || WordAt(s, p) || At(s, p) == '-') return {};
  return {p, kUuidPlaceholder};
}

// Units after a number. `compound`: h and m, only followed by another number (1h2m3.5s).
struct Unit {
  std::string_view text;
  bool compound;
};
constexpr std::array<Unit, 25> kUnits{{
    {"nanoseconds", false},
    {"microseconds", false},
    {"milliseconds", false},
    {"seconds", false},
    {"second", false},
    {"minutes", false},
    {"minute", false},
    {"hours", false},
    {"hour", false},
    {"msecs", false},
    {"msec", false},
    {"secs", false},
    {"sec", false},
    {"mins", false},
    {"min", false},
    {"hrs", false},
    {"hr", false},
    {"ms", false},
    {"us", false},
    {"\xc2\xb5s", false},
    {"\xce\xbcs", false},
    {"ns", false},
    {"s", false},
    {"m", true},
    {"h", true},
}};

// The end of a unit at p that a boundary (or, for a compound unit, a digit) follows.
const Unit* UnitAt(std::string_view s, std::size_t p, std::size_t* end) {
  switch (At(s, p)) {  // every unit starts with one of these: most numbers stop here
    case 'n':
    case 'm':
    case 's':
    case 'h':
    case 'u':
    case 0xc2:
    case 0xce:
      break;
    default:
      return nullptr;
  }
  for (const Unit& unit : kUnits) {
    if (s.substr(p, unit.text.size()) != unit.text) continue;
    const std::size_t q = p + unit.text.size();
    if (unit.compound ? IsDigit(At(s, q)) || (At(s, q) == ' ' && IsDigit(At(s, q + 1)))
                      : !WordAt(s, q)) {
      *end = q;
      return &unit;
    }
  }
  return nullptr;
}

// 0.03s, 12 ms, 1m2.5s, 1h 2m 3s, 12.3 sec: a number, an optional space, a unit.
Match Duration(std::string_view s, std::size_t i, unsigned char prev) {
  if (prev == '.') return {};
  std::size_t p = i;
  while (true) {
    std::size_t q = SkipDigits(s, p);
    if (q == p) return {};
    if (At(s, q) == '.' && IsDigit(At(s, q + 1))) q = SkipDigits(s, q + 1);
    std::size_t end = 0;
    const Unit* unit = UnitAt(s, q, &end);
    if (unit == nullptr && At(s, q) == ' ') {
      unit = UnitAt(s, q + 1, &end);
      if (unit != nullptr && unit->compound) return {};  // "5 m" is not a duration
    }
    if (unit == nullptr) return {};
    if (!unit->compound) return {end, kDurationPlaceholder};
    p = At(s, end) == ' ' ? end + 1 : end;
  }
}

// [1234] (a pid), [12/345] and [ 45%] (progress).
Match Bracketed(std::string_view s, std::size_t i, unsigned char /*prev*/) {
  std::size_t p = i + 1;
  while (At(s, p) == ' ') ++p;
  const std::size_t digits_end = SkipDigits(s, p);
  const std::size_t digits = digits_end - p;
  if (digits == 0) return {};
  if (At(s, digits_end) == ']' && p == i + 1 && digits >= 3 && digits <= 7) {
    return {digits_end + 1, "[<pid>]"};
  }
  if (At(s, digits_end) == '/') {
    const std::size_t total_end = SkipDigits(s, digits_end + 1);
    if (total_end > digits_end + 1 && At(s, total_end) == ']') {
      return {total_end + 1, "[<progress>]"};
    }
  }
  if (At(s, digits_end) == '%' && At(s, digits_end + 1) == ']' && digits <= 3) {
    return {digits_end + 2, "[<progress>]"};
  }
  return {};
}

// ==12345== (AddressSanitizer, Valgrind).
Match SanitizerPid(std::string_view s, std::size_t i, unsigned char /*prev*/) {
  if (At(s, i + 1) != '=') return {};
  const std::size_t end = SkipDigits(s, i + 2);
  if (end - (i + 2) < 2 || end - (i + 2) > 7 || At(s, end) != '=' || At(s, end + 1) != '=') {
    return {};
  }
  return {end, "==<pid>"};  // the closing == stays: it may open the next one
}

// pid 1234, pid=1234, PID: 1234: the number becomes <pid>.
Match PidWord(std::string_view s, std::size_t i, unsigned char /*prev*/) {
  if ((At(s, i + 1) | 0x20) != 'i' || (At(s, i + 2) | 0x20) != 'd') return {};
  std::size_t p = i + 3;
  while (p < i + 5 && (At(s, p) == ' ' || At(s, p) == '=' || At(s, p) == ':')) ++p;
  if (p == i + 3) return {};
  const std::size_t end = SkipDigits(s, p);
  if (end == p || WordAt(s, end)) return {};
  return {end, kPidPlaceholder, p - i};
}

bool IsPathByte(unsigned char c) {
  return IsWord(c) || c == '.' || c == '-' || c == '/' || c == '~' || c == '+' || c == '@' ||
         c == '%';
}
bool EndsPathComponent(unsigned char c) {
  return c == 0 || c == '/' || c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '`' ||
         c == ':' || c == ',' || c == ';' || c == ')' || c == ']' || c == '}' || c == '>' ||
         c == '<' || c == '(' || c == '=';
}

// /tmp/tmp.Ab12Cd (mktemp), /tmp/ccXyZ.o (gcc), /tmp/go-build123: the run's own directory
// or file under a temporary root; what follows it is the same in every run.
Match TempPath(std::string_view s, std::size_t i, unsigned char prev) {
  if (IsPathByte(prev)) return {};
  const std::string_view rest = s.substr(i);
  std::size_t p = kNone;
  for (const std::string_view root : {"/tmp/", "/var/tmp/", "/dev/shm/"}) {
    if (rest.starts_with(root)) p = i + root.size();
  }
  if (p == kNone) return {};
  const std::size_t start = p;
  while (p < s.size() && !EndsPathComponent(At(s, p))) ++p;
  if (p == start) return {};
  return {p, kTempPlaceholder};
}

Match AtDigit(std::string_view s, std::size_t i, unsigned char prev) {
  for (Match (*matcher)(std::string_view, std::size_t, unsigned char) :
       {&DateTime, &Uuid, &Clock, &Address, &Duration}) {
    const Match m = matcher(s, i, prev);
    if (m.end != kNone) return m;
  }
  return {};
}

// Where a pattern can start: everything else is copied without a second look.
enum class Trigger : unsigned char { None, Digit, HexLetter, Pid, Bracket, Equals, Slash };

constexpr std::array<Trigger, 256> MakeTriggers() {
  std::array<Trigger, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = Trigger::Digit;
  for (int c = 'a'; c <= 'f'; ++c) t[c] = t[c - 'a' + 'A'] = Trigger::HexLetter;
  t['p'] = t['P'] = Trigger::Pid;
  t['['] = Trigger::Bracket;
  t['='] = Trigger::Equals;
  t['/'] = Trigger::Slash;
  return t;
}
constexpr std::array<Trigger, 256> kTriggers = MakeTriggers();

// `prev`: the byte before i as the output has it, 0 at the start and after a placeholder
// (which ends in '>', ']' or '=': a boundary), so that a second pass finds nothing new.
Match MatchAt(std::string_view s, std::size_t i, unsigned char prev, Trigger trigger) {
  switch (trigger) {
    case Trigger::Digit:
      return IsWord(prev) ? Match{} : AtDigit(s, i, prev);
    case Trigger::HexLetter:
      return IsWord(prev) ? Match{} : Uuid(s, i, prev);
    case Trigger::Pid:
      return IsWord(prev) ? Match{} : PidWord(s, i, prev);
    case Trigger::Bracket:
      return Bracketed(s, i, prev);
    case Trigger::Equals:
      return SanitizerPid(s, i, prev);
    case Trigger::Slash:
      return TempPath(s, i, prev);
    case Trigger::None:
      break;
  }
  return {};
}

// True when Printable would return the text as it is: no C0 control but TAB, no DEL, no
// C1 control (C2 80..C2 9F in UTF-8); most lines, and the copy is skipped for them.
bool IsPrintable(std::string_view s) {
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c < 0x20 && c != '\t') || c == 0x7f || c == 0xc2) return false;
  }
  return true;
}

void Scan(std::string_view s, std::string& out) {
  std::size_t copied = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const Trigger trigger = kTriggers[static_cast<unsigned char>(s[i])];
    if (trigger == Trigger::None) {
      ++i;
      continue;
    }
    const unsigned char prev = i == copied ? 0 : static_cast<unsigned char>(s[i - 1]);
    const Match m = MatchAt(s, i, prev, trigger);
    if (m.end == kNone) {
      ++i;
      continue;
    }
    out.append(s, copied, i + m.keep - copied);
    out.append(m.text);
    i = copied = m.end;
  }
  out.append(s, copied);
}

}  // namespace

void NormalizeInto(std::string_view raw, std::string& out) {
  out.clear();
  if (IsPrintable(raw)) {
    Scan(raw, out);
  } else {
    Scan(text::Printable(raw), out);
  }
}

std::string Normalize(std::string_view raw) {
  std::string out;
  NormalizeInto(raw, out);
  return out;
}

}  // namespace ssetail::compare
