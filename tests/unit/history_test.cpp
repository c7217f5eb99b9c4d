#include "history/history.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <memory>
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
    const auto slice = h.Read(cursor);
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

// True when `wakeup` was signalled and not reset since (it does not wait).
bool Signalled(Wakeup& wakeup) {
  return wakeup.WaitUntil(Clock::now());
}

// True when a reader at `cursor` would miss nothing by reading from memory.
bool Retains(const History& h, std::uint64_t cursor) {
  return cursor <= 1 || cursor >= h.Stats().dropped + 2;
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
  const auto slice = h.Read(2);
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
  sse::IdLine id("r");
  id.Set(2);
  const std::size_t one =
      sse::EncodeEventWithId(std::vector<char>(100).data(), id.text(), EventType::Stdout, "line 1")
          .size;
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
  const auto slice = h.Read(2);
  const std::string before(slice.encoded());
  AppendLines(h, 6, 100000);  // evicts that block many times over
  CHECK(std::string(slice.encoded()) == before);
  CHECK((*slice.begin()).data == "line 1");
}

TEST_CASE("history: a slice's events stay readable while their block fills up") {
  // Slices point at their block's records without copying them: appending the shortest
  // events there are (an empty `gap`: under 32 bytes each) until the block is full must
  // never move the records a slice points at.
  History h("r", {1 << 20, 1 << 30});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "s", 0);
    w.Append(EventType::Stdout, "first", 7, SegmentEnd::CarriageReturn);
  }
  const auto slice = h.Read(2);
  {
    History::Writer w(h);
    for (int i = 0; i < 20000; ++i) w.Append(EventType::Gap, "", 0);
  }
  std::size_t events = 0;
  for (const EventView& event : slice) {
    CHECK(event.seq == 2);
    CHECK(event.data == "first");
    CHECK(event.t_ms == 7);
    CHECK(event.end == SegmentEnd::CarriageReturn);
    ++events;
  }
  CHECK(events == 1);
  // And a reader gets every one of them, in order, across the blocks they filled.
  std::uint64_t cursor = 3;
  CHECK(Drain(h, cursor).size() == 20000);
  CHECK(cursor == 20003);
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

TEST_CASE("history: a copy of a run resumes an id it has yet to read (another relay is ahead)") {
  History h("r", {});
  h.SetCopy();
  History::Writer(h).Append(EventType::Start, "s", 0);
  AppendLines(h, 1, 3);
  CHECK(h.CursorAfter(2) == 3);
  CHECK(h.CursorAfter(9) == 10);  // not read yet: after it, not the whole run again
  CHECK(h.CursorAfter(kMaxSeq + 1) == 1);
  CHECK(h.CursorAfter(0) == 1);
  h.AppendLast(EventType::Exit, "{}", 0);
  CHECK(h.CursorAfter(9) == 1);  // the run is over: no such event will come
  CHECK_FALSE(h.Stats().ended_without_final);
}

TEST_CASE("history: a run ended without a final event (lost) ends its readers") {
  History h("r", {});
  Wakeup woken;
  const History::Subscription subscription = h.Subscribe(woken);
  History::Writer(h).Append(EventType::Start, "s", 0);
  AppendLines(h, 1, 2);
  woken.Reset();
  std::uint64_t cursor = 1;
  CHECK(Drain(h, cursor).size() == 3);
  CHECK(h.Read(cursor).status == History::ReadStatus::NothingNew);
  h.End();
  CHECK(Signalled(woken));  // readers waiting for more are told
  CHECK(h.Read(cursor).status == History::ReadStatus::Ended);
  CHECK(h.IsLastEvent(3));         // a client with the last event needs nothing more
  CHECK_FALSE(h.LastEventData());  // but there is no exit
  CHECK(h.Stats().closed);
  CHECK(h.Stats().ended_without_final);
}

TEST_CASE("history: a read never waits: nothing new, then events, then the end") {
  History h("r", {});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "s", 0);
  }
  Wakeup reader;
  const History::Subscription subscription = h.Subscribe(reader);
  CHECK(h.Read(2).status == History::ReadStatus::NothingNew);
  CHECK_FALSE(Signalled(reader));
  h.AppendLast(EventType::Exit, "{}", 0);
  CHECK(Signalled(reader));
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
        const auto slice = h.Read(cursor);
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

TEST_CASE("history: SkipTo makes a gap of the ids it jumps over") {
  History h("r", {});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "s", 0);
    w.SkipTo(5);  // before any other event: 2, 3 and 4 never reach us
    CHECK(w.Append(EventType::Stdout, "five", 0) == 5);
    CHECK(w.Append(EventType::Stdout, "six", 0) == 6);
    w.SkipTo(6);  // not past the next id: nothing happens
    CHECK(w.Append(EventType::Stdout, "seven", 0) == 7);
    w.SkipTo(20);
    CHECK(w.Append(EventType::Stderr, "twenty", 0) == 20);
  }
  h.AppendLast(EventType::Exit, "{}", 0);
  std::uint64_t cursor = 1;
  CHECK(Drain(h, cursor) ==
        std::vector<std::string>{"s", "gap:3", "five", "six", "seven", "gap:12", "twenty", "{}"});
  CHECK(cursor == 22);
  // A reader inside a jump is told only what it misses from there.
  cursor = 10;
  CHECK(Drain(h, cursor) == std::vector<std::string>{"gap:10", "twenty", "{}"});
  cursor = 6;
  CHECK(Drain(h, cursor) == std::vector<std::string>{"six", "seven", "gap:12", "twenty", "{}"});
  // The ids on the wire follow the jump.
  const auto slice = h.Read(20);
  REQUIRE(slice.status == History::ReadStatus::Events);
  CHECK(slice.missed == 0);
  CHECK(slice.encoded().substr(0, 11) == "id: r.20\nev");
  CHECK(h.IsLastEvent(21));
  CHECK(h.CursorAfter(20) == 21);
}

TEST_CASE("history: subscribers are woken by publishes, until their subscription ends") {
  History h("r", {});
  Wakeup first, second;
  History::Subscription one = h.Subscribe(first);
  {
    const History::Subscription two = h.Subscribe(second);
    {
      History::Writer w(h);
      w.Append(EventType::Start, "s", 0);
    }
    CHECK(Signalled(first));
    CHECK(Signalled(second));
  }
  first.Reset();
  second.Reset();
  AppendLines(h, 1, 1);
  CHECK(Signalled(first));
  CHECK_FALSE(Signalled(second));  // its subscription ended
  // Moved, it still wakes the same reader; cancelled, no more.
  History::Subscription moved = std::move(one);
  first.Reset();
  AppendLines(h, 2, 2);
  CHECK(Signalled(first));
  moved.Cancel();
  first.Reset();
  AppendLines(h, 3, 3);
  CHECK_FALSE(Signalled(first));
}

TEST_CASE("history: with a recorder, events over the limits are kept until published") {
  History h("r", {3, 1 << 20});
  Wakeup recorder, reader;
  h.SetWriteAhead(&recorder);
  const History::Subscription subscription = h.Subscribe(reader);
  {
    History::Writer w(h);
    w.Append(EventType::Start, "start", 0);
  }
  AppendLines(h, 1, 10);           // events 2..11
  CHECK(Signalled(recorder));      // woken by appends
  CHECK_FALSE(Signalled(reader));  // readers only by publishes
  // Nothing published: readers see nothing, and nothing was evicted.
  CHECK(h.Read(1).status == History::ReadStatus::NothingNew);
  CHECK(h.Stats().last_seq == 0);
  CHECK(h.Stats().dropped == 0);
  CHECK(h.Stats().retained == 11);
  CHECK_FALSE(h.FirstEventData());
  CHECK(Retains(h, 2));
  // The recorder reads them all.
  std::vector<std::string> unpublished;
  for (std::uint64_t cursor = 1;;) {
    const auto slice = h.ReadUnpublished(cursor);
    if (slice.status != History::ReadStatus::Events) break;
    CHECK(slice.missed == 0);
    for (const EventView& event : slice) unpublished.emplace_back(event.data);
    cursor = slice.next_seq;
  }
  CHECK(unpublished.size() == 11);
  CHECK(unpublished.back() == "line 10");

  // Published up to 6: those may go now (the limit is 3), the unpublished all stay.
  h.Publish(6);
  CHECK(Signalled(reader));
  CHECK(h.Stats().last_seq == 6);
  CHECK(h.FirstEventData() == "start");
  CHECK(h.Stats().dropped == 5);  // 2..6
  CHECK(h.Stats().retained == 6);
  CHECK_FALSE(Retains(h, 6));
  CHECK(Retains(h, 7));
  std::uint64_t cursor = 2;
  CHECK(Drain(h, cursor) == std::vector<std::string>{"gap:5"});
  CHECK(cursor == 7);
  CHECK(h.ReadUnpublished(7).status == History::ReadStatus::Events);

  // All published: evicted down to the limit.
  h.Publish(11);
  CHECK(h.Stats().dropped == 7);
  cursor = 2;
  CHECK(Drain(h, cursor) == std::vector<std::string>{"gap:7", "line 8", "line 9", "line 10"});
  CHECK(h.Stats().unrecorded_evicted == 0);
  // Publishing less than what is published already changes nothing.
  h.Publish(3);
  CHECK(h.Stats().last_seq == 11);

  // Without a recorder, what is pending is published at once.
  AppendLines(h, 11, 12);
  CHECK(h.Stats().last_seq == 11);
  h.SetWriteAhead(nullptr);
  CHECK(h.Stats().last_seq == 13);
  AppendLines(h, 13, 13);
  CHECK(h.Stats().last_seq == 14);
}

namespace {

// Runs `wait` on a thread of its own; true when it returned within `limit`. The history
// is shared so that a wait that never returns does not outlive it.
bool ReturnsWithin(std::shared_ptr<History> h, std::chrono::milliseconds patience,
                   std::chrono::seconds limit) {
  std::promise<void> returned;
  std::future<void> future = returned.get_future();
  std::thread([h, patience, returned = std::move(returned)]() mutable {
    h->WaitForRecorder(patience);
    returned.set_value();
  }).detach();
  return future.wait_for(limit) == std::future_status::ready;
}

// Appends events of 1000 bytes in batches of 10 until `done`; at most 100 MB of them.
template <typename Done>
void AppendBigUntil(History& h, Done done) {
  const std::string text(1000, 'x');
  for (int batch = 0; batch < 10000 && !done(); ++batch) {
    History::Writer w(h);
    for (int i = 0; i < 10; ++i) w.Append(EventType::Stdout, text, 0);
  }
  REQUIRE(done());
}

}  // namespace

TEST_CASE("history: WaitForRecorder returns at once without a recorder or when not behind") {
  auto h = std::make_shared<History>("r", HistoryLimits{10, 4096});
  {
    History::Writer w(*h);
    w.Append(EventType::Start, "s", 0);
  }
  for (int i = 0; i < 100; ++i) AppendLines(*h, i, i);
  // A patience of an hour: were it waited out, the test would fail.
  CHECK(ReturnsWithin(h, std::chrono::hours(1), std::chrono::seconds(30)));
  Wakeup recorder;
  h->SetWriteAhead(&recorder);
  AppendLines(*h, 100, 200);  // unpublished, but far below what counts as behind
  CHECK(ReturnsWithin(h, std::chrono::hours(1), std::chrono::seconds(30)));
}

TEST_CASE("history: WaitForRecorder gives up after its patience when nobody publishes") {
  auto h = std::make_shared<History>("r", HistoryLimits{10, 4096});
  Wakeup recorder;
  h->SetWriteAhead(&recorder);
  {
    History::Writer w(*h);
    w.Append(EventType::Start, "s", 0);
  }
  // Far behind: the unpublished events hold over 8 MiB more than the limits allow (capture
  // waits from 1 MiB; events go only past 16 MiB).
  AppendBigUntil(*h, [&] { return h->Stats().retained_bytes > 4096 + (8u << 20) + 100000; });
  CHECK(h->Stats().dropped == 0);  // all kept for the recorder
  CHECK(h->Stats().last_seq == 0);
  // Nobody publishes: it returns after about 50 ms (here: within 30 s at all).
  CHECK(ReturnsWithin(h, std::chrono::milliseconds(50), std::chrono::seconds(30)));
  // Stalled: it no longer waits until the recorder writes again.
  CHECK(ReturnsWithin(h, std::chrono::hours(1), std::chrono::seconds(30)));
  // A recorder that catches up: published, then evicted down to the limits.
  h->Publish(1);
  CHECK(h->Stats().last_seq == 1);
  const std::uint64_t last = h->Stats().retained;  // nothing was evicted
  h->Publish(last);
  CHECK(h->Stats().last_seq == last);
  CHECK(h->Stats().retained_bytes <= 4096);
  CHECK(ReturnsWithin(h, std::chrono::hours(1), std::chrono::seconds(30)));
  CHECK(h->Stats().unrecorded_evicted == 0);
}

// What counts is what the recorder has yet to write, not the history's size: with the
// default limits (64 MiB) a 1 MiB backlog already makes capture wait, so memory stays
// near what the history holds rather than 16 MiB over its limit, and the recorder reads
// what capture has just written, still in the cache.
TEST_CASE("history: WaitForRecorder waits on the recorder's backlog, whatever the limits") {
  auto h = std::make_shared<History>("r", HistoryLimits{100000, 64 << 20});
  Wakeup recorder;
  h->SetWriteAhead(&recorder);
  {
    History::Writer w(*h);
    w.Append(EventType::Start, "s", 0);
  }
  AppendBigUntil(*h, [&] { return h->Stats().retained_bytes > (1u << 20) + 100000; });
  const auto before = std::chrono::steady_clock::now();
  h->WaitForRecorder(std::chrono::milliseconds(300));  // nobody publishes: waits it out
  CHECK(std::chrono::steady_clock::now() - before >= std::chrono::milliseconds(300));
  // Once written, the same history is not behind.
  h->SetWriteAhead(nullptr);
  CHECK(ReturnsWithin(h, std::chrono::hours(1), std::chrono::seconds(30)));
}

TEST_CASE("history: a reader behind a stalled recorder gets a gap, never unpublished events") {
  History h("r", {1000, 64 << 10});
  Wakeup recorder;
  h.SetWriteAhead(&recorder);
  {
    History::Writer w(h);
    w.Append(EventType::Start, "s", 0);
  }
  AppendLines(h, 1, 10);  // 2..11
  h.Publish(11);
  // A reader that has read event 2 only.
  std::uint64_t cursor = 3;
  // The disk stalls: past 16 MiB of unwritten events, they leave memory unwritten.
  AppendBigUntil(h, [&] { return h.Stats().unrecorded_evicted > 0; });
  REQUIRE(h.Stats().last_seq == 11);
  CHECK_FALSE(Retains(h, 3));
  const auto slice = h.Read(cursor);
  REQUIRE(slice.status == History::ReadStatus::Events);
  CHECK(slice.missed >= 9);  // 3..11 are gone
  CHECK(slice.encoded().size() < (1u << 20));
  std::uint64_t events = 0;
  for (const EventView& event : slice) {
    CHECK(event.seq <= 11);
    ++events;
  }
  CHECK(slice.next_seq - cursor == slice.missed + events);
}

// Between a SkipTo and the append after it, the skipped ids are the last ones: a reader
// there has nothing to read yet (it read past the end of the block list before).
TEST_CASE("history: a reader inside ids a SkipTo jumped over waits for the next event") {
  History h("r", {});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "s", 0);
    w.Append(EventType::Stdout, std::string(64 << 10, 'x'), 0);  // a block of its own
    w.SkipTo(5);
  }
  for (std::uint64_t cursor : {3, 4}) {
    CHECK(h.Read(cursor).status == History::ReadStatus::NothingNew);
    CHECK(h.ReadUnpublished(cursor).status == History::ReadStatus::NothingNew);
  }
  h.AppendLast(EventType::Exit, "{}", 0);
  const History::Slice slice = h.Read(3);
  REQUIRE(slice.status == History::ReadStatus::Events);
  CHECK(slice.missed == 2);
  CHECK(slice.first_seq == 5);
  CHECK(slice.reached_end);
}

// The same with no block but the start's: a record whose second line jumps far (--view).
// It read before the start of the (empty) block list: a crash under ThreadSanitizer.
TEST_CASE(
    "history: a reader after a SkipTo that follows the start alone waits for the next event") {
  History h("r", {});
  {
    History::Writer w(h);
    w.Append(EventType::Start, "s", 0);
    w.SkipTo(9007199254740992);
  }
  for (std::uint64_t cursor : {2, 3}) {
    CHECK(h.Read(cursor).status == History::ReadStatus::NothingNew);
    CHECK(h.ReadUnpublished(cursor).status == History::ReadStatus::NothingNew);
  }
  h.AppendLast(EventType::Exit, "{}", 0);
  const History::Slice slice = h.Read(2);
  REQUIRE(slice.status == History::ReadStatus::Events);
  CHECK(slice.missed == 9007199254740990);
  CHECK(slice.first_seq == 9007199254740992);
  CHECK(slice.reached_end);
}
