// A run's stream entry ids (SPEC §15): `0-SEQ`, SEQ the first event of the entry's batch, so
// entries sort as the run's events do and a resume finds its entry with XREVRANGE. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssetail {

// "0-SEQ".
std::string EntryId(std::uint64_t seq);

// "0-SEQ" -> SEQ, for 1 <= SEQ <= kMaxSeq written in plain decimal digits; else nothing (an
// entry that is not ssetail's: a time-based id, `0-0`, digits past 2^53).
std::optional<std::uint64_t> SeqOfEntryId(std::string_view id);

}  // namespace ssetail
