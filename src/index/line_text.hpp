// Small pure helpers over a line's text, shared by the matchers and the sections.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ssetail::index {

// The line without a leading ISO-8601 timestamp and the space after it, as raw GitHub and
// GitLab logs begin every line (`2026-12-06T02:14:03.1234567Z make`); GitLab's stream tag
// after it (`00O `, `01E+ `) goes too. The line itself when it has no such prefix.
std::string_view SkipTimestamp(std::string_view line);

// Without leading and trailing blanks (spaces and tabs).
std::string_view Trim(std::string_view text);

// At most `max` bytes of `text`, cut at a UTF-8 character boundary.
std::string_view CutUtf8(std::string_view text, std::size_t max);

// A decimal number of at most 9 digits; 0 for anything else (lines and columns start at 1).
std::uint32_t ParseLineNumber(std::string_view digits);

// `text` with each character below U+0020 (and DEL) replaced by a space: a field that must
// stay on one line (a decoded workflow command may hold %0A).
std::string OneLine(std::string_view text);

// A problem's or section's text field: on one line, cut to kMaxFieldBytes.
std::string Field(std::string_view text);

}  // namespace ssetail::index
