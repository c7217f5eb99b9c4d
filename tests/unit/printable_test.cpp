#include "text/printable.hpp"

#include <doctest/doctest.h>

using ssetail::text::Printable;

TEST_CASE("text: Printable removes escape sequences and controls, keeps text and TAB") {
  CHECK(Printable("\x1b[1;31mred\x1b[0m plain") == "red plain");
  CHECK(Printable("\x1b]8;;http://x\x07link\x1b]8;;\x1b\\ end") == "link end");
  CHECK(Printable("a\tb\x01\x7f"
                  "c") == "a\tbc");
  CHECK(Printable("\x1b(Bx\x1b=y") == "xy");
  CHECK(Printable("\xc2\x9b"
                  "32mgreen") == "green");  // C1 CSI
  CHECK(Printable("caf\xc3\xa9 \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xf0\x9f\x98\x80");
  CHECK(Printable("cut\x1b[3") == "cut");
  CHECK(Printable("\x1b[1\xc3\xa9t") == "\xc3\xa9t");  // not a CSI: what was read is dropped
}
