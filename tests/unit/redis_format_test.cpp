// What ssetail keeps in Redis (SPEC §10, §15): entry ids, batches, meta hashes, the lease and
// the backoff; what is read back is hostile input (issue 19).
#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/event.hpp"
#include "redisformat/backoff.hpp"
#include "redisformat/entry_id.hpp"
#include "redisformat/event_batch.hpp"
#include "redisformat/lease.hpp"
#include "redisformat/redis_url.hpp"
#include "redisformat/run_meta.hpp"

using namespace ssetail;

TEST_CASE("redis entries: ids are 0-SEQ with SEQ from 1 to 2^53, in plain digits") {
  CHECK(EntryId(42) == "0-42");
  CHECK(SeqOfEntryId("0-1") == 1u);
  CHECK(SeqOfEntryId("0-9007199254740992") == kMaxSeq);
  for (const char* id :
       {"0-0", "0-", "1-1", "0-9007199254740993", "0-18446744073709551615",
        "0-99999999999999999999999", "0-+1", "0--1", "0-1 ", "0-1x", "", "0", "1700000000000-0"}) {
    CAPTURE(id);
    CHECK_FALSE(SeqOfEntryId(id));
  }
}

namespace {

std::vector<std::string_view> Fields(std::string_view n, std::string_view events) {
  return {"n", n, "events", events};
}

// A batch of events from `first` as BatchBuilder writes it, decoded back.
DecodedBatch RoundTrip(std::uint64_t first, const std::vector<BatchEvent>& events,
                       std::string& text) {
  BatchBuilder batch(first);
  for (const BatchEvent& event : events) batch.Add(event.type, event.end, event.t_ms, event.data);
  text = batch.text();
  const std::string n = std::to_string(batch.count());
  auto decoded = DecodeBatch(EntryId(batch.first_seq()), Fields(n, text));
  REQUIRE_MESSAGE(decoded.ok(), (decoded ? "" : decoded.error()));
  return std::move(*decoded);
}

}  // namespace

TEST_CASE("redis batches: the compact text form of SPEC 15, and back") {
  BatchBuilder batch(1);
  batch.Add(EventType::Start, SegmentEnd::Newline, 0, R"({"command":null,"title":"t"})");
  batch.Add(EventType::Stdout, SegmentEnd::Newline, 15, "hello");
  batch.Add(EventType::Stderr, SegmentEnd::CarriageReturn, 2031, "50% done");
  batch.Add(EventType::Stdout, SegmentEnd::Partial, 2032, "prompt> ");
  batch.Add(EventType::Stdout, SegmentEnd::Newline, 2040, "");
  batch.Add(EventType::Exit, SegmentEnd::Newline, 0,
            R"({"code":0,"signal":null,"duration_ms":312})");
  CHECK(batch.text() ==
        "s {\"command\":null,\"title\":\"t\"}\n"
        "o 15 hello\n"
        "er 2031 50% done\n"
        "op 2032 prompt> \n"
        "o 2040 \n"
        "x {\"code\":0,\"signal\":null,\"duration_ms\":312}\n");
  CHECK(batch.count() == 6);
  CHECK(batch.next_seq() == 7);
  const auto decoded = DecodeBatch("0-1", Fields("6", batch.text()));
  REQUIRE(decoded);
  REQUIRE(decoded->events.size() == 6);
  CHECK(decoded->first_seq == 1);
  CHECK(decoded->events[0].type == EventType::Start);
  CHECK(decoded->events[0].data == R"({"command":null,"title":"t"})");
  CHECK(decoded->events[1].type == EventType::Stdout);
  CHECK(decoded->events[1].t_ms == 15);
  CHECK(decoded->events[1].data == "hello");
  CHECK(decoded->events[1].end == SegmentEnd::Newline);
  CHECK(decoded->events[2].type == EventType::Stderr);
  CHECK(decoded->events[2].end == SegmentEnd::CarriageReturn);
  CHECK(decoded->events[2].t_ms == 2031);
  CHECK(decoded->events[2].data == "50% done");
  CHECK(decoded->events[3].end == SegmentEnd::Partial);
  CHECK(decoded->events[3].data == "prompt> ");
  CHECK(decoded->events[4].data.empty());
  CHECK(decoded->events[5].type == EventType::Exit);
  CHECK(decoded->events[5].data == R"({"code":0,"signal":null,"duration_ms":312})");
  CHECK_FALSE(decoded->cut);
  // SPEC 15's `erp` (both flags; ssetail writes one at most) reads as a CR.
  const auto both = DecodeBatch("0-2", Fields("1", "erp 2031 50% done\n"));
  REQUIRE(both);
  CHECK(both->events[0].end == SegmentEnd::CarriageReturn);
  // Texts keep what capture keeps: escape sequences, tabs, any UTF-8, spaces at the end.
  std::string text;
  const DecodedBatch kept =
      RoundTrip(2, {{EventType::Stdout, SegmentEnd::Newline, 1, "\x1b[31m\tcaf\xC3\xA9 "}}, text);
  CHECK(kept.events[0].data == "\x1b[31m\tcaf\xC3\xA9 ");
}

TEST_CASE("redis batches: a batch closes at 64 KiB, at 10 ms of output, at a jump in ids") {
  BatchBuilder batch(5);
  CHECK(batch.Takes(99, 1000, 1 << 20));  // an empty batch takes anything
  batch.Add(EventType::Stdout, SegmentEnd::Newline, 1000, "x");
  CHECK(batch.Takes(6, 1009, 100));
  CHECK_FALSE(batch.Takes(6, 1010, 100));          // 10 ms after the batch's first event
  CHECK_FALSE(batch.Takes(7, 1001, 100));          // not the next id
  CHECK_FALSE(batch.Takes(6, 1001, kBatchBytes));  // past the size
  const std::string line(1000, 'y');
  std::uint64_t seq = 6;
  while (batch.Takes(seq, 1001, line.size())) {
    batch.Add(EventType::Stdout, SegmentEnd::Newline, 1001, line);
    ++seq;
  }
  CHECK(batch.text().size() <= kBatchBytes);
  CHECK(batch.text().size() > kBatchBytes - 1100);
}

TEST_CASE("redis batches: every event keeps its SEQ, FIRSTSEQ + its line, for a resume") {
  std::vector<std::string> texts;
  for (int i = 0; i < 50; ++i) texts.push_back("line " + std::to_string(i));
  std::vector<BatchEvent> events;
  for (const std::string& text : texts) {
    events.push_back({EventType::Stdout, SegmentEnd::Newline, 7, text});
  }
  std::string text;
  const DecodedBatch batch = RoundTrip(1000, events, text);
  CHECK(batch.first_seq == 1000);
  REQUIRE(batch.events.size() == 50);
  for (std::size_t i = 0; i < 50; ++i) CHECK(batch.events[i].data == texts[i]);
  // Where a publisher resumes: after the last entry's last event.
  CHECK(LastSeqOfEntry("0-1000", Fields("50", text)) == 1049u);
  CHECK(LastSeqOfEntry("0-1000", {"n", "x"}) == 1000u);  // n unreadable: its first
  CHECK_FALSE(LastSeqOfEntry("1700000000000-0", Fields("1", "")));
}

TEST_CASE("redis batches: anything that is not exactly a batch of ssetail's is refused") {
  const std::string ok = "o 1 a\n";
  CHECK(DecodeBatch("0-2", Fields("1", ok)));
  const std::vector<std::pair<std::string, std::vector<std::string_view>>> bad = {
      {"1700000000000-0", Fields("1", ok)},  // a time-based id (XADD … *)
      {"0-0", Fields("1", ok)},
      {"0-9007199254740993", Fields("1", ok)},
      {"0-2", {"foo", "bar"}},                                  // the issue's `0-2 foo bar`
      {"0-2", {"event", "stdout", "data", R"({"text":"x"})"}},  // the first format's
      {"0-2", {"n", "1", "events", ok, "x", "y"}},
      {"0-2", {"n", "1", "events", ok, "n", "1"}},
      {"0-2", {"n", "1"}},
      {"0-2", {"n", "1", "events"}},
      {"0-2", Fields("2", ok)},  // n disagrees with the lines
      {"0-2", Fields("0", "")},
      {"0-2", Fields("1", "o 1 a\no 2 b\n")},
      {"0-2", Fields("+1", ok)},
      {"0-2", Fields("01", ok)},
      {"0-2", Fields("1", "o 01 a\n")},
      {"0-2", Fields("1 ", ok)},
      {"0-2", Fields("99999999999999999999", ok)},
      {"0-9007199254740992", Fields("2", "o 1 a\no 1 b\n")},  // past 2^53
      {"0-2", Fields("1", "o 1 a")},                          // no newline after the last
      {"0-2", Fields("1", "o 1 a\r\n")},                      // a CR
      {"0-2", Fields("1", "o 1 caf\xE9\n")},                  // not UTF-8
      {"0-2", Fields("1", std::string_view("o 1 a\0b\n", 8))},
      {"0-2", Fields("1", "o 1a\n")},
      {"0-2", Fields("1", "o -1 a\n")},
      {"0-2", Fields("1", "o 4294967296 a\n")},
      {"0-2", Fields("1", "q 1 a\n")},
      {"0-2", Fields("1", "opr 1 a\n")},
      {"0-2", Fields("1", "o\n")},
      {"0-2", Fields("1", "\n")},
      {"0-2", Fields("1", "g {\"missed\":1}\n")},
      {"0-2", Fields("1", "s {\"title\":\"t\"}\n")},  // a start that is not the first event
      {"0-1", Fields("1", "o 1 a\n")},                // a first event that is no start
      {"0-1", Fields("1", "s not json\n")},
      {"0-1", Fields("1", "s {\"a\":1},\"event\":\"exit\"\n")},  // spliced
      {"0-1", Fields("1", "s [1]\n")},
      {"0-2", Fields("2", "x {\"code\":0}\no 1 after exit\n")},
  };
  for (const auto& [id, fields] : bad) {
    CAPTURE(id);
    CAPTURE(fields.size() > 3 ? std::string(fields[3]) : std::string());
    const auto decoded = DecodeBatch(id, fields);
    CHECK_FALSE(decoded.ok());
    if (!decoded) CHECK_FALSE(decoded.error().empty());
  }
}

TEST_CASE("redis batches: a text longer than capture makes is cut at 64 KiB (issue 19.11)") {
  const std::string text = "o 1 " + std::string(1 << 20, 'y') + "\n";
  const auto cut = DecodeBatch("0-2", Fields("1", text));
  REQUIRE(cut);
  CHECK(cut->cut);
  CHECK(cut->events[0].data.size() == kMaxEntryTextCut);
  CHECK(cut->events[0].end == SegmentEnd::Partial);
  // At a UTF-8 boundary.
  std::string euros = "e 1 ";
  while (euros.size() < (200 << 10)) euros += "\xE2\x82\xAC";
  euros += "\n";
  const auto cut2 = DecodeBatch("0-2", Fields("1", euros));
  REQUIRE(cut2);
  CHECK(cut2->events[0].data.size() % 3 == 0);
  CHECK(cut2->events[0].data.size() <= kMaxEntryTextCut);
}

TEST_CASE("redis lease: a run is lost when its lease is gone without exit") {
  CHECK(LeaseOfPttl(-2).kind == Lease::Gone);
  CHECK(LeaseOfPttl(-1).kind == Lease::Forever);
  CHECK(LeaseOfPttl(0).kind == Lease::Alive);
  CHECK(LeaseOfPttl(14000).left == std::chrono::milliseconds(14000));
  CHECK(StateOf("running", true) == RunState::Running);
  CHECK(StateOf("running", false) == RunState::Lost);
  CHECK(StateOf("", false) == RunState::Lost);
  CHECK(StateOf("exited", false) == RunState::Exited);  // its publisher deletes it at the end
  CHECK(StateOf("exited", true) == RunState::Exited);
  CHECK(RunStateName(RunState::Lost) == "lost");
  // A relay's read blocks until just after the lease would expire, and not at all once it is
  // gone; never much longer than a lease.
  using std::chrono::milliseconds;
  const auto read = [](long long pttl, std::optional<milliseconds> unknown_for = std::nullopt) {
    return ReadState{LeaseOfPttl(pttl), unknown_for};
  };
  CHECK(ReadBlock(read(-2)) == milliseconds(0));
  CHECK(ReadBlock(read(12000)) > milliseconds(12000));
  CHECK(ReadBlock(read(12000)) < milliseconds(12500));
  CHECK(ReadBlock(read(0)) > milliseconds(0));
  CHECK(ReadBlock(read(-1)) <= kLeaseTtl + milliseconds(500));
  CHECK(ReadBlock(read(1 << 30)) <= kLeaseTtl + milliseconds(500));
  // Lost: the lease gone from a run Redis knows.
  CHECK(IsLost(read(-2)));
  CHECK_FALSE(IsLost(read(3000)));
  CHECK_FALSE(IsLost(read(-1)));
  // A Redis that came back empty (no meta): its publisher has a lease's time to refill it,
  // and the read waits for that (woken by its first entry), not a poll.
  CHECK_FALSE(IsLost(read(-2, milliseconds(0))));
  CHECK_FALSE(IsLost(read(-2, milliseconds(14000))));
  CHECK(IsLost(read(-2, kLeaseTtl)));
  CHECK(ReadBlock(read(-2, milliseconds(0))) > milliseconds(14000));
  CHECK(ReadBlock(read(-2, milliseconds(10000))) > milliseconds(4900));
  CHECK(ReadBlock(read(-2, milliseconds(10000))) < milliseconds(5500));
  CHECK(ReadBlock(read(-2, milliseconds(20000))) > milliseconds(0));
  // The lease as the last read found it, that read's time later: a read that waited for
  // the whole lease blocks only a moment more, then finds it gone.
  CHECK(ReadBlock(Later(read(12000), milliseconds(12000))) < milliseconds(500));
  CHECK(Later(read(12000), milliseconds(20000)).lease.left == milliseconds(0));
  CHECK(Later(read(-2, milliseconds(1000)), milliseconds(14000)).unknown_for == kLeaseTtl);
  CHECK(IsLost(Later(read(-2, milliseconds(1000)), milliseconds(14000))));
  CHECK(kLeaseRefresh * 3 == kLeaseTtl);  // two refreshes may be missed before it expires
}

TEST_CASE("redis backoff: 0.1 s, doubling up to 5 s, back to 0.1 s after a success") {
  using std::chrono::milliseconds;
  Backoff backoff;
  std::vector<milliseconds> waits;
  for (int i = 0; i < 9; ++i) waits.push_back(backoff.Next());
  CHECK(waits == std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(400),
                                           milliseconds(800), milliseconds(1600),
                                           milliseconds(3200), milliseconds(5000),
                                           milliseconds(5000), milliseconds(5000)});
  backoff.Reset();
  CHECK(backoff.Next() == milliseconds(100));
}

TEST_CASE("redis meta: JSON fields parsed and encoded anew, never spliced (issue 19.6)") {
  const RunMeta good = DecodeRunMeta({"title", "t \"q\"", "command", R"([ "sh" , "-c", "a\"b" ])",
                                      "started", "2026-01-01T00:00:00.000Z", "state", "exited",
                                      "exit", R"({"code":3,"signal":null,"duration_ms":12})"});
  CHECK(good.title == "t \"q\"");
  CHECK(good.command == R"(["sh","-c","a\"b"])");
  CHECK(good.state == "exited");
  CHECK(good.exit == R"({"code":3,"signal":null,"duration_ms":12})");
  CHECK(good.exit_code == 3);
  CHECK(good.duration_ms == 12);
  CHECK_FALSE(good.exit_signal);
  CHECK_FALSE(good.errors);
  const RunMeta counted = DecodeRunMeta({"errors", "3", "warnings", "0", "first_error", "17"});
  CHECK(counted.errors == 3u);
  CHECK(counted.warnings == 0u);
  CHECK(counted.first_error == 17u);
  for (const char* count : {"-1", "1e3", " 1", "", "99999999999999999999", "0x1"}) {
    CAPTURE(count);
    CHECK_FALSE(DecodeRunMeta({"errors", count}).errors);
    CHECK_FALSE(DecodeRunMeta({"first_error", count}).first_error);
  }
  const RunMeta killed =
      DecodeRunMeta({"exit", R"({"code":null,"signal":"SIGKILL","duration_ms":5})"});
  CHECK(killed.exit_signal == "SIGKILL");
  CHECK_FALSE(killed.exit_code);
  const RunMeta bad_exit = DecodeRunMeta({"exit", R"({"code":1,"signal":null})"});
  CHECK((bad_exit.exit == "null" && !bad_exit.exit_code && !bad_exit.duration_ms));
  CHECK(DecodeRunMeta({"command", "null"}).command == "null");
  CHECK(DecodeRunMeta({"command", "[]"}).command == "[]");
  CHECK(DecodeRunMeta({"exit", R"({"code":null,"signal":"SIGTERM","duration_ms":0})"}).exit ==
        R"({"code":null,"signal":"SIGTERM","duration_ms":0})");
  for (const char* command :
       {R"(1,"evil":true,"x":[)", "[", R"(["a",])", R"(["a"] x)", "[1]", R"({"a":1})", "", "nul"}) {
    CAPTURE(command);
    CHECK(DecodeRunMeta({"command", command}).command == "null");
  }
  for (const char* exit :
       {R"({"code":1},"x":[)", R"({"code":1})", R"({"code":"1","signal":null,"duration_ms":1})",
        R"({"code":1,"signal":null,"duration_ms":-1})",
        R"({"code":1,"signal":null,"duration_ms":1,"more":2})", "null", "[]"}) {
    CAPTURE(exit);
    CHECK(DecodeRunMeta({"exit", exit}).exit == "null");
  }
  CHECK(DecodeRunMeta({"state", "<b>"}).state.empty());
  // Invalid UTF-8 in a text field is repaired, so it can be encoded as JSON.
  CHECK(DecodeRunMeta({"title", "caf\xE9"}).title == "caf\xEF\xBF\xBD");
  CHECK(StartDataFromMeta(DecodeRunMeta({"title", "x", "command", "1,2"})) ==
        R"({"command":null,"pid":null,"started":"","title":"x"})");
}

TEST_CASE("redis meta: what the publisher writes from the start event") {
  const StartMeta meta = MetaOfStart(
      R"({"command":["make","-j8"],"pid":12,"started":"2026-11-23T21:53:44.123Z","title":"b \"1\""})");
  CHECK(meta.title == "b \"1\"");
  CHECK(meta.command == R"(["make","-j8"])");
  CHECK(meta.started == "2026-11-23T21:53:44.123Z");
  CHECK(meta.score == 1795470824123);
  CHECK(MetaOfStart(R"({"command":null,"started":"?","title":"t"})").score == 0);
}

TEST_CASE("redis URL: a URL that did not parse is shown without its password (issue 19.11)") {
  CHECK(RedactedUrl("redis://:hunter2@127.0.0.1:99999/") == "redis://***@127.0.0.1:99999/");
  CHECK(RedactedUrl("redis://user:hunter2@h/p@x") == "redis://***@h/p@x");
  CHECK(RedactedUrl("redis://h:1/p") == "redis://h:1/p");
  CHECK(RedactedUrl("http://a:b@c") == "http://***@c");
}
