// Reading the few fields the Redis format needs out of an event's JSON data (the `start`
// event's title, command and start time). Not a general JSON parser: the data was written
// by ssetail itself (events/run_events.cpp). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ssetail::json {

// The raw JSON value of `key` in the top-level object `object`, or nothing.
std::optional<std::string_view> RawField(std::string_view object, std::string_view key);

// The text of a JSON string value (quotes included in `raw`), or nothing if it is not one.
std::optional<std::string> DecodeString(std::string_view raw);

// "2026-11-23T21:53:44.123Z" -> milliseconds since the epoch, or nothing.
std::optional<std::int64_t> ParseIsoUtcMs(std::string_view iso);

}  // namespace ssetail::json
