// A segment's text as the page shows it: what search, the run's index and comparisons
// match against. Pure.
#pragma once

#include <string>
#include <string_view>

namespace ssetail::text {

// The text of a segment with what the page does not print removed: escape sequences (CSI,
// OSC and the other control strings, the short ESC forms) and C0/C1 controls but TAB.
// Cursor motions within the line are not replayed: "a\bb" is "ab" here.
std::string Printable(std::string_view text);

// The same text without a copy when there is nothing to remove (most lines: checked eight
// bytes at a time); otherwise Printable(text) stored in `scratch`, which the view then
// points into (valid until `scratch` changes).
std::string_view PrintableView(std::string_view text, std::string& scratch);

}  // namespace ssetail::text
