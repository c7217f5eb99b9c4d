// What a source-link template (--source-url) and a workspace root (--source-root) may be
// (SPEC §13 "Source links"): the checks the command line makes, and those the CI defaults
// pass before they are used. Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ssetail {

// An http(s) URL with {file} in it: the page links nowhere else.
bool IsSourceUrlTemplate(std::string_view url);

// `dir` as a root the page strips from absolute paths: absolute, trailing slashes dropped,
// no empty, `.` or `..` segment, not `/` itself. Nothing when it cannot be one.
std::optional<std::string> SourceRoot(std::string_view dir);

}  // namespace ssetail
