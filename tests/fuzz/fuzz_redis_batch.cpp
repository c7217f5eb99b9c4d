// A Redis stream entry read back by a relay (DecodeEntry, SeqOfEntryId): never a crash; an
// id is accepted exactly when it is "0-" and decimal digits worth 1 to 2^53 (checked against
// 128-bit arithmetic); an accepted entry is one of the four recorded events whose DATA is
// the whole data field (nothing spliced after it) and whose output text is valid UTF-8
// without NUL, CR or LF (independent validator), at most 192 KiB or cut to 64 KiB and flagged
// partial; written back as the recorder writes it, it parses back to the same event.
//
// Input: [mode][fields separated by 0xFF...]. The first field is the entry id; the others
// are name, value, …. Mode 1 builds the fields "event", NAME, "data", VALUE from the rest.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checkers.hpp"
#include "events/event.hpp"
#include "record/record_line.hpp"
#include "redis/run_entries.hpp"

using namespace ssetail;

namespace {

FUZZ_NO_COVERAGE bool ReferenceId(std::string_view id, std::uint64_t& seq) {
  if (id.size() < 3 || id[0] != '0' || id[1] != '-') return false;
  unsigned __int128 value = 0;
  for (char c : id.substr(2)) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
    if (value > (static_cast<unsigned __int128>(1) << 64)) return false;
  }
  if (value == 0 || value > kMaxSeq) return false;
  seq = static_cast<std::uint64_t>(value);
  return true;
}

std::vector<std::string_view> Split(std::string_view rest) {
  std::vector<std::string_view> parts;
  for (;;) {
    const std::size_t cut = rest.find('\xFF');
    parts.push_back(rest.substr(0, cut));
    if (cut == std::string_view::npos) return parts;
    rest.remove_prefix(cut + 1);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader reader(data, size);
  const std::uint8_t mode = reader.Byte();
  std::vector<std::string_view> parts = Split(reader.Rest());
  const std::string_view id = parts.front();
  parts.erase(parts.begin());
  if (mode % 2 == 1 && parts.size() >= 2) parts = {"event", parts[0], "data", parts[1]};

  std::uint64_t expected = 0;
  const bool valid = ReferenceId(id, expected);
  const auto seq = SeqOfEntryId(id);
  FUZZ_CHECK(seq.has_value() == valid);
  if (seq) FUZZ_CHECK(*seq == expected);

  std::string buffer, why;
  const auto entry = DecodeEntry("run", seq.value_or(2), parts, buffer, why);
  if (!entry) {
    FUZZ_CHECK(!why.empty());
    return 0;
  }
  const record::Line& line = entry->line;
  FUZZ_CHECK(line.type == EventType::Start || line.type == EventType::Stdout ||
             line.type == EventType::Stderr || line.type == EventType::Exit);
  FUZZ_CHECK(!line.data.empty() && line.data.front() == '{');
  FUZZ_CHECK(line.data.find_first_of("\r\n") == std::string_view::npos);
  // DATA is the whole field (spaces around it aside): nothing spliced after the value.
  std::string_view field;
  for (std::size_t i = 0; i + 1 < parts.size(); i += 2) {
    if (parts[i] == "data") field = parts[i + 1];
  }
  FUZZ_CHECK(field.find(line.data) != std::string_view::npos);
  const std::size_t after = field.find(line.data) + line.data.size();
  FUZZ_CHECK(field.find_first_not_of(" \t", after) == std::string_view::npos);
  std::string encoded;
  if (IsOutput(line.type)) {
    FUZZ_CHECK(fuzz::IsValidUtf8WithoutNul(line.text));
    FUZZ_CHECK(line.text.find_first_of("\r\n") == std::string_view::npos);
    FUZZ_CHECK(line.text.size() <= kMaxEntryText);
    if (entry->cut)
      FUZZ_CHECK(line.text.size() <= kMaxEntryTextCut && line.end == SegmentEnd::Partial);
    encoded.resize(record::OutputLineBound("run", line.text.size()));
    encoded.resize(
        static_cast<std::size_t>(record::WriteOutputLine(encoded.data(), "run", line.seq, line.type,
                                                         line.text, line.t_ms, line.end) -
                                 encoded.data()));
  } else {
    record::AppendLine(encoded, "run", line.seq, line.type, line.data);
  }
  encoded.pop_back();
  std::string buffer2;
  const auto again = record::ParseLine(encoded, buffer2);
  if (!again)
    fuzz::Fail(__FILE__, __LINE__, ("written back and refused: " + again.error()).c_str());
  FUZZ_CHECK(again->seq == line.seq && again->type == line.type && again->text == line.text &&
             again->end == line.end);
  return 0;
}
