#include "events/json.hpp"

#include "../fuzz/checkers.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

using namespace ssetail;
using namespace std::string_literals;

// The strict decoder of one JSON string (RFC 8259 §7) the fuzz targets use, written from
// the grammar and not from the encoder: nullopt for anything that is not exactly one
// well-formed string, including a raw control character inside it.
using fuzz::DecodeJsonString;

namespace {
bool HasRawLineBreak(std::string_view s) {
  return s.find('\n') != std::string_view::npos || s.find('\r') != std::string_view::npos;
}
}  // namespace

TEST_CASE("json: the test's decoder is strict") {
  CHECK(DecodeJsonString(R"("a\"b\\c\/\u00e9\ud83d\ude00")") ==
        "a\"b\\c/\xC3\xA9\xF0\x9F\x98\x80"s);
  CHECK_FALSE(DecodeJsonString("\"a\nb\""));
  CHECK_FALSE(DecodeJsonString(R"("a"b")"));
  CHECK_FALSE(DecodeJsonString(R"("\x")"));
  CHECK_FALSE(DecodeJsonString(R"("\u00g0")"));
  CHECK_FALSE(DecodeJsonString(R"("abc\")"));
  CHECK_FALSE(DecodeJsonString("abc"));
}

TEST_CASE("json: plain text is quoted as is") {
  CHECK(json::Quote("") == R"("")");
  CHECK(json::Quote("hello, world") == R"("hello, world")");
  CHECK(json::Quote("a/b {x: [1]} 'q'") == R"("a/b {x: [1]} 'q'")");
}

TEST_CASE("json: AppendString appends to what is there") {
  std::string out = "{\"k\":";
  json::AppendString(out, "v");
  out += ",\"w\":";
  json::AppendString(out, "x\"y");
  out += "}";
  CHECK(out == R"({"k":"v","w":"x\"y"})");
}

TEST_CASE("json: quotes and backslashes are escaped") {
  CHECK(json::Quote("\"") == R"("\"")");
  CHECK(json::Quote("\\") == R"("\\")");
  CHECK(json::Quote(R"(say "hi" \o/)") == R"("say \"hi\" \\o/")");
  CHECK(json::Quote("\\\"") == R"("\\\"")");
  CHECK(json::Quote("\\n") == R"("\\n")");  // a backslash and an n, not a newline
}

TEST_CASE("json: newline, carriage return and tab have their short escapes") {
  CHECK(json::Quote("a\nb") == R"("a\nb")");
  CHECK(json::Quote("a\rb") == R"("a\rb")");
  CHECK(json::Quote("a\tb") == R"("a\tb")");
  CHECK(json::Quote("\r\n\t") == R"("\r\n\t")");
}

TEST_CASE("json: other control characters are \\u00XX, lower-case hex") {
  CHECK(json::Quote("\0"s) == R"("\u0000")");
  CHECK(json::Quote("\x01") == R"("\u0001")");
  CHECK(json::Quote("\b\f") == R"("\u0008\u000c")");
  CHECK(json::Quote("\x1b[31mred\x1b[0m") == R"("\u001b[31mred\u001b[0m")");
  CHECK(json::Quote("\x1f") == R"("\u001f")");
  CHECK(json::Quote("a\0b"s) == R"("a\u0000b")");
  for (int c = 0; c < 0x20; ++c) {
    const std::string quoted = json::Quote(std::string(1, static_cast<char>(c)));
    CAPTURE(c);
    if (c == '\n' || c == '\r' || c == '\t') {
      CHECK(quoted.size() == 4);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      CHECK(quoted == std::string("\"\\u00") + kHex[c >> 4] + kHex[c & 0xF] + "\"");
    }
  }
}

TEST_CASE("json: DEL and every printable ASCII character are kept") {
  CHECK(json::Quote("\x7f") == "\"\x7f\"");
  for (int c = 0x20; c < 0x80; ++c) {
    if (c == '"' || c == '\\') continue;
    CAPTURE(c);
    const std::string one(1, static_cast<char>(c));
    CHECK(json::Quote(one) == "\"" + one + "\"");
  }
}

TEST_CASE("json: UTF-8 is kept byte for byte") {
  const std::string texts[] = {
      "\xC3\xA9t\xC3\xA9",                     // été: 2-byte sequences
      "\xE2\x82\xAC 5",                        // €: 3 bytes
      "\xF0\x9F\x98\x80",                      // 😀: 4 bytes
      "\xE2\x80\xA8\xE2\x80\xA9",              // U+2028/U+2029: valid JSON, JS line terminators
      "\xEF\xBF\xBD",                          // U+FFFD
      "\xC2\x80\xC2\x9F",                      // C1 controls, as UTF-8: not JSON controls
      "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",  // 日本語
  };
  for (const std::string& text : texts) {
    CAPTURE(text);
    CHECK(json::Quote(text) == "\"" + text + "\"");
  }
}

TEST_CASE("json: the result never holds a raw CR or LF") {
  const std::string nasty = "\r\n\n\r\r\nline\rover\nnext\x0b\x0c\x85\xE2\x80\xA8";
  const std::string quoted = json::Quote(nasty);
  CHECK_FALSE(HasRawLineBreak(quoted));
  for (unsigned char c : quoted) CHECK(c >= 0x20);
  std::string big;
  for (int i = 0; i < 1000; ++i) big += (i % 3 == 0 ? "\r\n" : i % 3 == 1 ? "\n" : "\r");
  CHECK_FALSE(HasRawLineBreak(json::Quote(big)));
}

TEST_CASE("json: what Quote writes decodes back to its input") {
  // Every ASCII character alone and all together.
  std::string all_ascii;
  for (int c = 0; c < 0x80; ++c) {
    const std::string one(1, static_cast<char>(c));
    CAPTURE(c);
    CHECK(DecodeJsonString(json::Quote(one)) == one);
    all_ascii += one;
  }
  CHECK(DecodeJsonString(json::Quote(all_ascii)) == all_ascii);

  // Strings built by a fixed pseudo-random walk over escapes, ASCII and multi-byte UTF-8.
  const std::string pieces[] = {
      "\"", "\\",  "\n", "\r",      "\t",  "\x01",     "\x1f",         "\x7f",
      "a",  " ",   "/",  "\\u0041", "\0"s, "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
      "}",  "\x1b"};
  std::uint32_t state = 12345;
  for (int round = 0; round < 500; ++round) {
    std::string text;
    const int length = round % 40;
    for (int k = 0; k < length; ++k) {
      state = state * 1103515245u + 12345u;
      text += pieces[(state >> 16) % std::size(pieces)];
    }
    const std::string quoted = json::Quote(text);
    CAPTURE(round);
    CHECK_FALSE(HasRawLineBreak(quoted));
    CHECK(DecodeJsonString(quoted) == text);
  }
}
