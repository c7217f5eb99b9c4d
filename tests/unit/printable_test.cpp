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

TEST_CASE("text: PrintableView copies only when something is removed, at any position") {
  std::string scratch;
  const std::string plain = "gcc -O2 -Wall -c src/main.c -o build/main.o\tcaf\xc3\xa9";
  const std::string_view same = ssetail::text::PrintableView(plain, scratch);
  CHECK(same.data() == plain.data());
  CHECK(scratch.empty());
  // Each byte Printable removes, at each offset of a 20-byte line (word and tail paths).
  for (const std::string bad : {"\x1b", "\x01", "\x7f", "\x1f", "\xc2\x85", "\xc2\x9b"}) {
    for (std::size_t at = 0; at <= 20; ++at) {
      const std::string text = std::string(at, 'a') + bad + std::string(20 - at, 'b');
      INFO("at ", at);
      const std::string_view view = ssetail::text::PrintableView(text, scratch);
      CHECK(view == Printable(text));
      CHECK(view.data() == scratch.data());
    }
  }
  const std::string latin =
      "\xc3\xa9\xc2\xa0 and \xe2\x80\x98quotes\xe2\x80\x99";  // C2 A0 is no C1
  CHECK(ssetail::text::PrintableView(latin, scratch).data() == latin.data());
}
