// What /search matches (SPEC §11): an output event's text as the page shows it, against a
// literal or an RE2 pattern. Pure: no I/O, no threads; the HTTP side feeds it events.
//
// RE2 runs in time linear in the text whatever the pattern, so a user's pattern cannot make
// the server run away (std::regex can: `(a*)*b`); its memory is capped per pattern too.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/event.hpp"

namespace re2 {
class RE2;
}

namespace ssetail::search {

// A match in a text, in UTF-16 code units (what a JavaScript string counts), half-open.
using Range = std::pair<std::uint32_t, std::uint32_t>;

class Matcher {
 public:
  // `query` literal (regex false) or an RE2 pattern; case-insensitive unless `match_case`.
  Matcher(std::string_view query, bool regex, bool match_case);
  ~Matcher();
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // Empty when the pattern is good; otherwise why not, on one line.
  const std::string& error() const { return error_; }

  // Appends the non-overlapping matches in `text` (valid UTF-8) to `ranges`, at most
  // kMaxRangesPerLine of them. Returns whether there was one.
  bool Find(std::string_view text, std::vector<Range>& ranges) const;

  static constexpr std::size_t kMaxRangesPerLine = 100;

 private:
  std::unique_ptr<re2::RE2> re_;
  std::string error_;
};

// One NDJSON line of /search's answer for a matching event, newline included:
// {"id":"RUN.SEQ","seq":N,"stream":"stdout","text":"…","ranges":[[s,e],…]}
void AppendMatchLine(std::string& out, std::string_view run_id, std::uint64_t seq, EventType type,
                     std::string_view text, const std::vector<Range>& ranges);

}  // namespace ssetail::search
