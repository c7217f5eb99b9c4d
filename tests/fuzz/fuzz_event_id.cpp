// Last-Event-ID handling: sse::ParseEventId never fails on any text, what it accepts
// formats back to itself, "RUN.N" gives exactly RUN and N, and History::CursorAfter keeps
// every resumption inside [1, last + 1] (seq + 1 for an event of the run, else 1).
//
// Input: [mode][events][text...]. Mode 0: the text as a header value; otherwise RUN.N is
// built from the text (RUN) and 8 bytes of it (N), in decimal with optional leading zeros.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "checkers.hpp"
#include "events/sse_format.hpp"
#include "history/history.hpp"

using namespace ssetail;

namespace {

// Histories of 0..5 events (the last two closed by exit), built once.
const std::array<std::unique_ptr<History>, 6>& Histories() {
  static const auto histories = [] {
    std::array<std::unique_ptr<History>, 6> all;
    for (std::size_t n = 0; n < all.size(); ++n) {
      all[n] = std::make_unique<History>("run" + std::to_string(n), HistoryLimits{2, 1 << 20});
      for (std::size_t k = 0; k < n; ++k) {
        if (n >= 4 && k + 1 == n) {
          all[n]->AppendLast(EventType::Exit, "{\"code\":0}", 1);
        } else {
          History::Writer writer(*all[n]);
          writer.Append(k == 0 ? EventType::Start : EventType::Stdout, "x", 0);
        }
      }
    }
    return all;
  }();
  return histories;
}

void CheckCursor(const History& history, std::uint64_t seq) {
  const std::uint64_t last = history.Stats().last_seq;
  const std::uint64_t cursor = history.CursorAfter(seq);
  FUZZ_CHECK(cursor >= 1 && cursor <= last + 1);
  FUZZ_CHECK(cursor == ((seq >= 1 && seq <= last) ? seq + 1 : 1));
  FUZZ_CHECK(history.IsLastEvent(seq) == (history.Stats().closed && seq == last));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Reader reader(data, size);
  const std::uint8_t mode = reader.Byte();
  const History& history = *Histories()[reader.Byte() % Histories().size()];

  if (mode % 2 == 0) {
    const std::string_view text = reader.Rest();
    const auto id = sse::ParseEventId(text);
    if (id) {
      FUZZ_CHECK(!id->run.empty());
      const std::string again = id->run + "." + std::to_string(id->seq);
      const auto reparsed = sse::ParseEventId(again);
      FUZZ_CHECK(reparsed && reparsed->run == id->run && reparsed->seq == id->seq);
      // What it accepted is RUN "." DIGITS, the digits the number's (leading zeros aside).
      FUZZ_CHECK(text.substr(0, id->run.size()) == id->run && text[id->run.size()] == '.');
      const std::string_view digits = text.substr(id->run.size() + 1);
      FUZZ_CHECK(!digits.empty() &&
                 digits.find_first_not_of("0123456789") == std::string_view::npos);
      const std::size_t significant = digits.find_first_not_of('0');
      FUZZ_CHECK(significant == std::string_view::npos
                     ? id->seq == 0
                     : digits.substr(significant) == std::to_string(id->seq));
      CheckCursor(history, id->seq);
    } else {
      // Rejected: no '.', nothing before the last '.', or not only digits after it (or a
      // number past kMaxSeq).
      const std::size_t dot = text.rfind('.');
      if (dot != std::string_view::npos && dot > 0) {
        const std::string_view digits = text.substr(dot + 1);
        const bool all_digits =
            !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
        if (all_digits) {
          const std::size_t significant = digits.find_first_not_of('0');
          // 2^53 = 9007199254740992 (16 digits).
          FUZZ_CHECK(significant != std::string_view::npos &&
                     (digits.size() - significant > 16 ||
                      (digits.size() - significant == 16 &&
                       digits.substr(significant) > "9007199254740992")));
        }
      }
    }
  } else {
    const std::uint64_t n = reader.Bytes(8);
    const std::size_t zeros = reader.Byte() % 4;
    const std::string run(reader.Rest());
    if (run.empty()) return 0;
    const std::string text = run + "." + std::string(zeros, '0') + std::to_string(n);
    const auto id = sse::ParseEventId(text);
    // The run may itself contain dots: the id's number is after the last one.
    FUZZ_CHECK(id.has_value() == (n <= kMaxSeq));
    if (!id) return 0;
    FUZZ_CHECK(id->run == run && id->seq == n);
    CheckCursor(history, n);
  }
  // Around the history's own range too.
  const std::uint64_t last = history.Stats().last_seq;
  for (std::uint64_t seq : {std::uint64_t{0}, last, last + 1, ~std::uint64_t{0}})
    CheckCursor(history, seq);
  return 0;
}
