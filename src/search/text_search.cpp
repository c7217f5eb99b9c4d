#include "search/text_search.hpp"

#include <re2/re2.h>

#include <charconv>

#include "events/json.hpp"
#include "text/utf8.hpp"

namespace ssetail::search {

namespace {

// RE2's default is 8 MiB a pattern; a generous pattern still fits, a huge one is refused.
constexpr std::int64_t kPatternMemory = 16 << 20;

std::uint32_t Utf16Length(std::string_view s) {
  std::uint32_t n = 0;
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80 || (c >= 0xc0 && c < 0xf0)) {
      n += 1;
    } else if (c >= 0xf0) {
      n += 2;  // outside the BMP: a surrogate pair
    }
  }
  return n;
}

}  // namespace

Matcher::Matcher(std::string_view query, bool regex, bool match_case) {
  if (query.empty()) {
    error_ = "empty pattern";
    return;
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(match_case);
  options.set_max_mem(kPatternMemory);
  options.set_literal(!regex);
  re_ = std::make_unique<RE2>(re2::StringPiece(query.data(), query.size()), options);
  if (!re_->ok()) {
    error_ = re_->error();
    for (char& c : error_) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    re_.reset();
  }
}

Matcher::~Matcher() = default;

bool Matcher::Find(std::string_view text, std::vector<Range>& ranges) const {
  if (!re_) return false;
  const re2::StringPiece whole(text.data(), text.size());
  std::size_t at = 0;
  std::size_t units_at = 0;  // UTF-16 units before `at`
  std::size_t found = 0;
  re2::StringPiece match;
  while (at <= text.size() && found < kMaxRangesPerLine) {
    if (!re_->Match(whole, at, text.size(), RE2::UNANCHORED, &match, 1)) break;
    const auto start = static_cast<std::size_t>(match.data() - text.data());
    const std::size_t end = start + match.size();
    const std::uint32_t from =
        static_cast<std::uint32_t>(units_at) + Utf16Length(text.substr(at, start - at));
    const std::uint32_t to = from + Utf16Length(text.substr(start, end - start));
    ranges.emplace_back(from, to);
    ++found;
    units_at = to;
    at = end;
    if (match.empty()) {  // an empty match: step over one character
      if (at >= text.size()) break;
      const std::size_t step = utf8::LeadLength(static_cast<unsigned char>(text[at]));
      units_at += Utf16Length(text.substr(at, step));
      at += step;
    }
  }
  return found > 0;
}

void AppendMatchLine(std::string& out, std::string_view run_id, std::uint64_t seq, EventType type,
                     std::string_view text, const std::vector<Range>& ranges) {
  char number[24];
  const auto append_number = [&](std::uint64_t n) {
    out.append(number, std::to_chars(number, number + sizeof number, n).ptr);
  };
  out += "{\"id\":\"";
  out += run_id;
  out += '.';
  append_number(seq);
  out += "\",\"seq\":";
  append_number(seq);
  out += ",\"stream\":\"";
  out += EventTypeName(type);
  out += "\",\"text\":";
  json::AppendString(out, text);
  out += ",\"ranges\":[";
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    if (i > 0) out += ',';
    out += '[';
    append_number(ranges[i].first);
    out += ',';
    append_number(ranges[i].second);
    out += ']';
  }
  out += "]}\n";
}

}  // namespace ssetail::search
