// A run's Redis stream entries (SPEC §10: `XADD … 0-SEQ event TYPE data JSON`) read back as
// events, for the relay's RedisRunSource. Pure (no hiredis): the fuzz target
// fuzz_redis_entry feeds it any entry.
//
// Anything in Redis is hostile input: an id that is not `0-SEQ` with 1 <= SEQ <= kMaxSeq is
// no event of ours, an entry whose fields are not one `event` and one `data` (one JSON
// value, nothing spliced after it) is a bad entry, and an output text longer than capture
// ever makes one is cut.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "record/record_line.hpp"

namespace ssetail {

// "0-SEQ" -> SEQ, for 1 <= SEQ <= kMaxSeq written in plain decimal digits; else nothing.
std::optional<std::uint64_t> SeqOfEntryId(std::string_view id);

// The longest output text an entry may give (capture's 64 KiB of bytes, repaired: each
// invalid byte becomes 3); a longer one is cut to kMaxEntryTextCut at a UTF-8 boundary and
// flagged partial, as capture would have cut it.
inline constexpr std::size_t kMaxEntryText = 192 << 10;
inline constexpr std::size_t kMaxEntryTextCut = 64 << 10;

struct DecodedEntry {
  record::Line line;  // its views point into the fields or the caller's text buffer
  bool cut = false;   // the text was longer than kMaxEntryText: cut
};

// Entry `seq` of run `run_id`, its fields given as name, value, name, value…. Nothing, with
// `why` set, when it is not one event.
std::optional<DecodedEntry> DecodeEntry(std::string_view run_id, std::uint64_t seq,
                                        const std::vector<std::string_view>& fields,
                                        std::string& text_buffer, std::string& why);

}  // namespace ssetail
