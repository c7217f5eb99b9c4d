#include "text/utf8.hpp"

#include <doctest/doctest.h>

using namespace ssetail;

namespace {
std::string Repaired(std::string_view text) {
  std::string out;
  utf8::AppendRepaired(text, out);
  return out;
}
const std::string kFffd = "\xEF\xBF\xBD";
}  // namespace

TEST_CASE("utf8: clean ASCII is recognised a word at a time") {
  CHECK(utf8::IsCleanAscii(""));
  CHECK(utf8::IsCleanAscii("hello, world: 0123456789"));
  CHECK_FALSE(utf8::IsCleanAscii(std::string("abcdefgh\0ijk", 12)));
  CHECK_FALSE(utf8::IsCleanAscii(std::string("abcdefghijk\0", 12)));
  CHECK_FALSE(utf8::IsCleanAscii("abcdefghij\xC3\xA9"));
  CHECK(utf8::IsCleanAscii("\x01\x7F\x1B[31m"));
}

TEST_CASE("utf8: valid text is kept as it is") {
  for (std::string text : {"plain", "caf\xC3\xA9", "\xE2\x82\xAC 5", "\xF0\x9F\x98\x80 emoji",
                           "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF"}) {
    CHECK(utf8::IsClean(text));
    CHECK(Repaired(text) == text);
  }
}

TEST_CASE("utf8: invalid sequences and NUL become U+FFFD") {
  CHECK(Repaired(std::string("a\0b", 3)) == "a" + kFffd + "b");
  CHECK(Repaired("\xFF") == kFffd);
  CHECK(Repaired("\x80\x80") == kFffd + kFffd);                          // stray continuations
  CHECK(Repaired("\xC0\xAF") == kFffd + kFffd);                          // overlong lead
  CHECK(Repaired("\xE0\x80\xAF") == kFffd + kFffd + kFffd);              // overlong 3-byte
  CHECK(Repaired("\xED\xA0\x80") == kFffd + kFffd + kFffd);              // surrogate
  CHECK(Repaired("\xF4\x90\x80\x80") == kFffd + kFffd + kFffd + kFffd);  // > U+10FFFF
  CHECK(Repaired("\xE2\x82x") == kFffd + "x");                           // truncated: one U+FFFD
  CHECK(Repaired("ok\xF0\x9F\x98") == "ok" + kFffd);                     // truncated at the end
  CHECK_FALSE(utf8::IsClean("\xE2\x82"));
}

TEST_CASE("utf8: cut points never split a character") {
  const std::string text =
      "ab\xE2\x82\xAC"
      "cd";  // a b € c d
  CHECK(utf8::CutPoint(text, 100) == text.size());
  CHECK(utf8::CutPoint(text, 2) == 2);
  CHECK(utf8::CutPoint(text, 3) == 2);
  CHECK(utf8::CutPoint(text, 4) == 2);
  CHECK(utf8::CutPoint(text, 5) == 5);
  CHECK(utf8::CutPoint("\x80\x80\x80\x80\x80", 3) == 3);  // no lead byte: cut anyway
}

TEST_CASE("utf8: an incomplete character at the end is held back") {
  CHECK(utf8::IncompleteTail("abc") == 0);
  CHECK(utf8::IncompleteTail("ab\xE2") == 1);
  CHECK(utf8::IncompleteTail("ab\xE2\x82") == 2);
  CHECK(utf8::IncompleteTail("ab\xE2\x82\xAC") == 0);
  CHECK(utf8::IncompleteTail("\xF0\x9F\x98") == 3);
  CHECK(utf8::IncompleteTail("\xE0\x80") == 0);  // can never become valid
  CHECK(utf8::IncompleteTail("\xFF") == 0);
}
