// json::AppendString: the output is one JSON string that an independent RFC 8259 decoder
// turns back into the input, with no raw control character (so it fits on one SSE line).
#include <cstdint>
#include <string>
#include <string_view>

#include "checkers.hpp"
#include "events/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string out = "[";
  ssetail::json::AppendString(out, text);
  FUZZ_CHECK(out[0] == '[');
  const std::string quoted = out.substr(1);
  FUZZ_CHECK(quoted == ssetail::json::Quote(text));
  for (char c : quoted) FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20);
  // Bytes other than '"', '\\' and controls pass through unchanged, so the decoder (which
  // copies them) gives the input back even when it is not UTF-8...
  const auto decoded = fuzz::DecodeJsonString(quoted);
  FUZZ_CHECK(decoded.has_value());
  FUZZ_CHECK(*decoded == text);
  // ...and for UTF-8 input the output is valid UTF-8 JSON text.
  if (fuzz::IsValidUtf8(text)) FUZZ_CHECK(fuzz::IsValidUtf8(quoted));
  // Nothing is escaped that need not be, beyond the controls: ASCII text grows by at most 5
  // bytes per byte (\u00XX) plus the quotes.
  FUZZ_CHECK(quoted.size() <= 6 * text.size() + 2);
  return 0;
}
