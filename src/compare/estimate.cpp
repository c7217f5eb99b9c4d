#include "compare/estimate.hpp"

#include <algorithm>
#include <cmath>

namespace ssetail::compare {

namespace {

constexpr std::int64_t kPaceAfterMs = 1000;

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Digits at `line[*i]` as a number (saturating), moving `*i` past them; false if none.
bool Number(std::string_view line, std::size_t* i, std::uint32_t* value) {
  const std::size_t start = *i;
  std::uint64_t v = 0;
  while (*i < line.size() && IsDigit(line[*i])) {
    v = std::min<std::uint64_t>(v * 10 + static_cast<unsigned>(line[*i] - '0'), UINT32_MAX);
    ++*i;
  }
  *value = static_cast<std::uint32_t>(v);
  return *i > start;
}

// Past leading spaces and CSI sequences (a coloured status line).
std::size_t SkipLead(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ') {
      ++i;
    } else if (line[i] == '\x1b' && i + 1 < line.size() && line[i + 1] == '[') {
      i += 2;
      while (i < line.size() && !(line[i] >= 0x40 && line[i] <= 0x7e)) ++i;
      ++i;
    } else {
      break;
    }
  }
  return i;
}

}  // namespace

std::optional<Progress> ParseProgress(std::string_view line) {
  std::size_t i = SkipLead(line);
  if (i >= line.size() || line[i] != '[') return std::nullopt;
  ++i;
  while (i < line.size() && line[i] == ' ') ++i;
  Progress p;
  if (!Number(line, &i, &p.done) || i >= line.size()) return std::nullopt;
  if (line[i] == '/') {
    ++i;
    if (!Number(line, &i, &p.total) || i >= line.size() || line[i] != ']') return std::nullopt;
  } else if (line[i] == '%' && i + 1 < line.size() && line[i + 1] == ']' && p.done <= 100) {
    p.total = 100;
  } else {
    return std::nullopt;
  }
  if (p.total == 0 || p.done > p.total) return std::nullopt;
  return p;
}

std::optional<Estimate> EstimateLeft(Reached reached, std::int64_t other_duration_ms,
                                     std::int64_t elapsed_ms) {
  if (other_duration_ms <= 0) return std::nullopt;
  const std::int64_t other_ms = std::clamp<std::int64_t>(reached.other_ms, 0, other_duration_ms);
  const std::int64_t this_ms = std::max<std::int64_t>(reached.this_ms, 0);
  Estimate estimate;
  double pace = 1.0;
  if (other_ms >= kPaceAfterMs) {
    pace = static_cast<double>(this_ms) / static_cast<double>(other_ms);
    estimate.percent_slower = static_cast<int>(std::lround((pace - 1.0) * 100.0));
  }
  const double left = static_cast<double>(other_duration_ms - other_ms) * pace -
                      static_cast<double>(std::max<std::int64_t>(elapsed_ms - this_ms, 0));
  estimate.left_ms = std::max<std::int64_t>(0, std::llround(left));
  return estimate;
}

}  // namespace ssetail::compare
