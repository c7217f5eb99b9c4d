// A run's meta hash read back by a relay (DecodeRunMeta, StartDataFromMeta): whatever the
// fields hold, what goes into the /runs list is valid JSON of the documented shape —
// `command` null or an array of strings, `exit` null or {"code","signal","duration_ms"},
// text fields valid UTF-8 — checked by the independent JSON decoder; and a `start` rebuilt
// from it is a record line ParseLine accepts (issue 19.6: never spliced).
//
// Input: the fields, separated by 0xFF: name, value, ….
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checkers.hpp"
#include "record/record_line.hpp"
#include "redisformat/run_meta.hpp"

using namespace ssetail;

namespace {

FUZZ_NO_COVERAGE bool IsStringArrayOrNull(std::string_view text) {
  if (text == "null") return true;
  fuzz::JsonDecoder d(text);
  if (!d.Eat('[')) return false;
  if (d.Eat(']')) return d.AtEnd();
  do {
    const auto s = d.String();
    if (!s || !fuzz::IsValidUtf8(*s)) return false;
  } while (d.Eat(','));
  return d.Eat(']') && d.AtEnd();
}

FUZZ_NO_COVERAGE bool IsExitOrNull(std::string_view text) {
  if (text == "null") return true;
  fuzz::JsonDecoder d(text);
  if (!d.Literal("{\"code\":")) return false;
  if (!d.Literal("null")) {
    d.Eat('-');
    if (!d.Unsigned()) return false;
  }
  if (!d.Literal(",\"signal\":")) return false;
  if (!d.Literal("null") && !d.String()) return false;
  if (!d.Literal(",\"duration_ms\":") || !d.Unsigned()) return false;
  return d.Eat('}') && d.AtEnd();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string_view> fields;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (;;) {
    const std::size_t cut = rest.find('\xFF');
    fields.push_back(rest.substr(0, cut));
    if (cut == std::string_view::npos) break;
    rest.remove_prefix(cut + 1);
  }
  const RunMeta meta = DecodeRunMeta(fields);
  FUZZ_CHECK(fuzz::IsValidUtf8(meta.title));
  FUZZ_CHECK(fuzz::IsValidUtf8(meta.started));
  FUZZ_CHECK(meta.state.empty() || meta.state == "running" || meta.state == "exited");
  FUZZ_CHECK(IsStringArrayOrNull(meta.command));
  FUZZ_CHECK(IsExitOrNull(meta.exit));
  const std::string start = StartDataFromMeta(meta);
  const std::string line = "{\"id\":\"run.1\",\"event\":\"start\",\"data\":" + start + "}";
  std::string buffer;
  const auto parsed = record::ParseLine(line, buffer);
  if (!parsed)
    fuzz::Fail(__FILE__, __LINE__, ("a rebuilt start refused: " + parsed.error()).c_str());
  FUZZ_CHECK(parsed->data == start);
  return 0;
}
