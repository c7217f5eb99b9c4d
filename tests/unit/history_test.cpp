#include "history/history.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "events/sse_format.hpp"

using namespace ssetail;
using Clock = std::chrono::steady_clock;

namespace {

// Reads everything from `cursor` on without waiting; returns the data of each event
// (prefixed "gap:N" for a gap) and the cursor after.
std::vector<std::string> Drain(History& h, std::uint64_t& cursor) {
  std::vector<std::string> out;
  for (;;) {
    const auto slice = h.Read(cursor, History::Detail::Events);
    if (slice.status != History::ReadStatus::Events) break;
    if (slice.missed) out.push_back("gap:" + std::to_string(slice.missed));
    for (const EventView& event : slice) out.emplace_back(event.data);
    cursor = slice.next_seq;
  }
  return out;
}

void AppendLines(History& h, int from, int to) {
  History::Writer w(h);
  for (int i = from; i <= to; ++i) w.Append(EventType::Stdout, "line " + std::to_string(i), 0);
}

}  // namespace

TEST_CASE("history: events are encoded once, in order, with RUN.SEQ ids") {
  History h("run", {});
  {
    History::Writer w(h);
    CHECK(w.Append(EventType::Start, "{}", 0) == 1);
    CHECK(w.Append(EventType::Stdout, "out", 5) == 2);
    CHECK(w.Append(EventType::Stderr, "err", 6, SegmentEnd::Partial) == 3);
  }
  std::uint64_t cursor = 1;
  CHECK(Drain(h, cursor) == std::vector<std::string>{"{}", "out", "err"});
  CHECK(cursor == 4);
  const auto slice = h.Read(2, History::Detail::Events);
  CHECK(slice.encoded() ==
        "id: run.2\nevent: stdout\ndata: out\n\nid: run.3\nevent: stderr\ndata: err\n\n");
  // Each event's own fields and bytes, as the JSON flavour and /log need them.
  std::vector<EventView> events(slice.begin(), slice.end());
  REQUIRE(events.size() == 2);
  CHECK(events[0].seq == 2);
  CHECK(events[0].t_ms == 5);
  CHECK(events[0].end == SegmentEnd::Newline);
  CHECK(events[0].encoded == "id: run.2\nevent: stdout\ndata: out\n\n");
  CHECK(events[1].seq == 3);
  CHECK(events[1].type == EventType::Stderr);
  CHECK(events[1].end == SegmentEnd::Partial);
  CHECK(events[1].data == "err");
  // Read for the encoded bytes only, a slice has no events to iterate.
  const auto encoded_only = h.Read(2);
  CHECK(encoded_only.encoded() == slice.encoded());
  CHECK(encoded_only.begin() == encoded_only.end());
  const auto stats = h.Stats();
  CHECK(stats.stdout_events == 1);
  CHECK(stats.stderr_events == 1);
  CHECK(stats.last_seq == 3);
}

TEST_CASE("history: the event cap drops the oldest, the start event stays pinned") {
  History h("r", {3, 1 << 20});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "start", 0);
  }
  AppendLines(h, 1, 10);
  std::uint64_t cursor = 1;
  CHECK(Drain(h, cursor) ==
        std::vector<std::string>{"start", "gap:7", "line 8", "line 9", "line 10"});
  CHECK(h.Stats().dropped == 7);
  CHECK(h.Stats().retained == 4);
}

TEST_CASE("history: the final event does not count against the event limit") {
  History h("r", {3, 1 << 20});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "start", 0);
  }
  AppendLines(h, 1, 3);
  h.AppendLast(EventType::Exit, "{}", 0);
  std::uint64_t cursor = 1;
  CHECK(Drain(h, cursor) == std::vector<std::string>{"start", "line 1", "line 2", "line 3", "{}"});
  CHECK(h.Stats().dropped == 0);
}

TEST_CASE("history: the byte cap drops the oldest too") {
  const std::size_t one =
      sse::EncodeEvent(std::vector<char>(100).data(), "r", 2, EventType::Stdout, "line 1").size;
  History h("r", {1000, one * 2});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "s", 0);
  }
  AppendLines(h, 1, 5);
  std::uint64_t cursor = 2;
  CHECK(Drain(h, cursor) == std::vector<std::string>{"gap:3", "line 4", "line 5"});
  CHECK(h.Stats().retained_bytes <= one * 2);
}

TEST_CASE("history: a reader that fell behind gets the count it missed and goes on") {
  History h("r", {5, 1 << 20});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "s", 0);
  }
  AppendLines(h, 1, 3);
  std::uint64_t cursor = 1;
  CHECK(Drain(h, cursor).size() == 4);
  AppendLines(h, 4, 20);  // the reader is at line 4, which is gone
  CHECK(Drain(h, cursor) ==
        std::vector<std::string>{"gap:12", "line 16", "line 17", "line 18", "line 19", "line 20"});
}

TEST_CASE("history: a slice keeps its block alive after eviction") {
  History h("r", {10, 1 << 30});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "s", 0);
  }
  AppendLines(h, 1, 5);
  const auto slice = h.Read(2, History::Detail::Events);
  const std::string before(slice.encoded());
  AppendLines(h, 6, 100000);  // evicts that block many times over
  CHECK(std::string(slice.encoded()) == before);
  CHECK((*slice.begin()).data == "line 1");
}

TEST_CASE("history: resume positions") {
  History h("r", {});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "s", 0);
  }
  AppendLines(h, 1, 3);
  CHECK(h.CursorAfter(2) == 3);
  CHECK(h.CursorAfter(4) == 5);
  CHECK(h.CursorAfter(5) == 1);  // not an event of this run yet: replay everything
  CHECK(h.CursorAfter(0) == 1);
  CHECK_FALSE(h.IsLastEvent(4));
  h.AppendLast(EventType::Exit, "{\"code\":0}", 0);
  CHECK(h.IsLastEvent(5));
  CHECK(h.LastEventData() == "{\"code\":0}");
}

TEST_CASE("history: a read never waits: nothing new, then events, then the end") {
  History h("r", {});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "s", 0);
  }
  int notified = 0;
  h.SetAppendListener([&] { ++notified; });
  CHECK(h.Read(2).status == History::ReadStatus::NothingNew);
  h.AppendLast(EventType::Exit, "{}", 0);
  CHECK(notified == 1);
  const auto slice = h.Read(2);
  CHECK(slice.status == History::ReadStatus::Events);
  CHECK(slice.reached_end);
  CHECK(h.Read(slice.next_seq).status == History::ReadStatus::Ended);
}

TEST_CASE("history: many concurrent readers each see every event exactly once, in order") {
  constexpr int kLines = 20000;
  History h("r", {kLines * 2, 1 << 30});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "s", 0);
  }
  std::atomic<int> ok{0};
  std::vector<std::thread> readers;
  for (int i = 0; i < 8; ++i) {
    readers.emplace_back([&] {
      std::uint64_t cursor = 1;
      int expected = 0;  // next line number
      const auto deadline = Clock::now() + std::chrono::seconds(60);
      while (Clock::now() < deadline) {
        const auto slice = h.Read(cursor, History::Detail::Events);
        if (slice.status == History::ReadStatus::NothingNew) {
          std::this_thread::yield();
          continue;
        }
        if (slice.status != History::ReadStatus::Events) break;
        for (const EventView& event : slice) {
          if (event.type != EventType::Stdout) continue;
          if (event.data != "line " + std::to_string(expected)) return;
          ++expected;
        }
        cursor = slice.next_seq;
        if (slice.reached_end) break;
      }
      if (expected == kLines) ++ok;
    });
  }
  for (int i = 0; i < kLines; i += 100) AppendLines(h, i, i + 99);
  h.AppendLast(EventType::Exit, "{}", 0);
  for (auto& t : readers) t.join();
  CHECK(ok == 8);
}
