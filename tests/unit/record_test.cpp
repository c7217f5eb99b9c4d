#include "record/run_record.hpp"

#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "events/log_text.hpp"
#include "events/sse_format.hpp"
#include "history/history.hpp"
#include "record/record_line.hpp"
#include "record/record_reader.hpp"
#include "temp_dir.hpp"
#include "wait_until.hpp"

using namespace ssetail;
using testing::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

// A disk that stops answering after the record's first write, until the test lets it go on
// (or the disk is destroyed): what RunRecord is given instead of write(2).
class StallingDisk {
 public:
  ~StallingDisk() { Release(); }
  RecordWrite Writer() {
    return [this](int fd, const char* bytes, std::size_t size) {
      {
        std::unique_lock lock(mutex_);
        if (writes_++ > 0) answered_.wait(lock, [this] { return released_; });
      }
      return ::write(fd, bytes, size);
    };
  }
  void Release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    answered_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable answered_;
  int writes_ = 0;
  bool released_ = false;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Waits until the history has published event `seq` (the recorder publishes just after
// its write returns); fails after 10 s.
void WaitPublished(const History& history, std::uint64_t seq) {
  REQUIRE(testing::WaitUntil([&] { return history.Stats().last_seq >= seq; }));
}

// The history's own SSE bytes of events [from, to].
std::string HistoryBytes(const History& history, std::uint64_t from, std::uint64_t to) {
  std::string out;
  std::uint64_t cursor = from;
  while (cursor <= to) {
    const History::Slice slice = history.Read(cursor);
    REQUIRE(slice.status == History::ReadStatus::Events);
    REQUIRE(slice.missed == 0);
    for (const EventView& event : slice) {
      if (event.seq > to) break;
      out.append(event.encoded);
    }
    cursor = slice.next_seq;
  }
  return out;
}

// What a JSON stream or /log sends for events [from, to], from the history.
std::string HistoryAs(const History& history, std::uint64_t from, std::uint64_t to,
                      RecordReader::Format format) {
  std::string out;
  std::uint64_t cursor = from;
  while (cursor <= to) {
    const History::Slice slice = history.Read(cursor);
    REQUIRE(slice.status == History::ReadStatus::Events);
    for (const EventView& event : slice) {
      if (event.seq > to) break;
      if (format == RecordReader::Format::LogText) {
        AppendLogText(event.type, event.data, event.end, out);
      } else if (IsOutput(event.type)) {
        sse::AppendJsonOutputEvent(out, history.run_id(), event.seq, event.type, event.data,
                                   event.t_ms, event.end);
      } else {
        out.append(event.encoded);
      }
    }
    cursor = slice.next_seq;
  }
  return out;
}

// Everything the reader gives for [from, to], read after read as the stream pump does.
std::string ReadRecord(const RunRecord& record, std::uint64_t from, std::uint64_t to,
                       RecordReader::Format format, std::uint64_t* next = nullptr) {
  RecordReader reader(record);
  std::string out, scratch;
  std::uint64_t cursor = from;
  for (int reads = 0; cursor <= to && reads < 100000; ++reads) {
    const RecordReader::Result result = reader.Read(cursor, to, format, out, scratch);
    if (!result.appended) break;
    REQUIRE(result.next_seq > cursor);
    cursor = result.next_seq;
  }
  if (next != nullptr) *next = cursor;
  return out;
}

// Where two long texts first differ, for a failure message that fits on a screen.
std::string Difference(std::string_view a, std::string_view b) {
  std::size_t at = 0;
  while (at < a.size() && at < b.size() && a[at] == b[at]) ++at;
  const std::size_t from = at > 80 ? at - 80 : 0;
  return "sizes " + std::to_string(a.size()) + " and " + std::to_string(b.size()) +
         ", first difference at " + std::to_string(at) + ":\n[" + std::string(a.substr(from, 160)) +
         "]\nvs\n[" + std::string(b.substr(from, 160)) + "]";
}

}  // namespace

#define CHECK_SAME(a, b)                                           \
  do {                                                             \
    const std::string same_a = (a), same_b = (b);                  \
    CHECK_MESSAGE((same_a == same_b), Difference(same_a, same_b)); \
  } while (false)

TEST_CASE("record: appends are published only once written, one line per event") {
  TempDir dir;
  History history("rt", {});
  // The disk stalls after the start line: the next batch waits in memory.
  StallingDisk disk;
  RunRecord record(history, {dir.file("run.ndjson"), dir.path(), std::nullopt, disk.Writer()});
  record.Start();
  {
    History::Writer w(history);
    w.Append(EventType::Start, R"({"command":["x"]})", 0);
  }
  record.WaitWritten(1);
  WaitPublished(history, 1);
  {
    History::Writer w(history);
    w.Append(EventType::Stdout, "one", 1);
    w.Append(EventType::Stderr, "tw\"o", 2, SegmentEnd::Partial);
    w.Append(EventType::Stdout, "three", 3, SegmentEnd::CarriageReturn);
  }
  // Appended, not written (the disk stalls): no reader sees them.
  CHECK(history.Read(2).status == History::ReadStatus::NothingNew);
  CHECK(history.Stats().last_seq == 1);
  CHECK(history.ReadUnpublished(2).status == History::ReadStatus::Events);

  disk.Release();  // the disk answers again
  WaitPublished(history, 4);
  // Published: already in the file, one line each.
  const std::vector<std::string> expected = {
      R"({"id":"rt.1","event":"start","data":{"command":["x"]}})",
      R"({"id":"rt.2","event":"stdout","data":{"text":"one","t":1}})",
      R"({"id":"rt.3","event":"stderr","data":{"text":"tw\"o","t":2,"partial":true}})",
      R"({"id":"rt.4","event":"stdout","data":{"text":"three","t":3,"cr":true}})",
  };
  CHECK(Lines(ReadFile(dir.file("run.ndjson"))) == expected);
  const History::Slice slice = history.Read(2);
  REQUIRE(slice.status == History::ReadStatus::Events);
  CHECK(slice.next_seq == 5);
  const RecordStatus status = record.Status();
  CHECK(status.events == 4);
  CHECK(status.dropped == 0);
  CHECK(status.bytes == ReadFile(dir.file("run.ndjson")).size());
  CHECK(status.path == dir.file("run.ndjson"));
  CHECK_FALSE(status.error);
  CHECK(record.StatusJson().find("\"events\":4,\"dropped\":0") != std::string::npos);
}

TEST_CASE("record: what a reader sees is always already in the file") {
  TempDir dir;
  History history("rt", {});
  RunRecord record(history, {dir.file("run.ndjson"), dir.path(), std::nullopt});
  record.Start();
  {
    History::Writer w(history);
    w.Append(EventType::Start, "{}", 0);
  }
  std::uint64_t violations = 0;
  for (int batch = 0; batch < 200; ++batch) {
    {
      History::Writer w(history);
      for (int i = 0; i < 50; ++i) w.Append(EventType::Stdout, "line " + std::to_string(i), 0);
    }
    // Published is written: the reader's view never runs ahead of the file.
    const std::uint64_t published = history.Stats().last_seq;
    if (record.Status().events < published) ++violations;
  }
  history.AppendLast(EventType::Exit, R"({"code":0})", 0);
  record.Stop();
  CHECK(violations == 0);
  CHECK(history.Stats().last_seq == 10002);
  CHECK(record.Status().events == 10002);
  CHECK(Lines(ReadFile(dir.file("run.ndjson"))).size() == 10002);
}

TEST_CASE("record: the reader gives back the history's own bytes") {
  TempDir dir;
  History history("k9", {});
  RunRecord record(history, {std::nullopt, dir.path(), std::nullopt});  // a temporary file
  record.Start();
  const std::vector<std::string> texts = {"plain",
                                          "",
                                          "quote \" backslash \\ tab \t",
                                          "caf\xC3\xA9 \xF0\x9F\x98\x80",
                                          "\x01\x1f control",
                                          " leading space",
                                          std::string(3000, 'x')};
  {
    History::Writer w(history);
    w.Append(EventType::Start, R"({"command":["sh","-c","x"],"pid":1})", 0);
  }
  for (int batch = 0; batch < 40; ++batch) {
    History::Writer w(history);
    for (int i = 0; i < 50; ++i) {
      const std::string& text = texts[static_cast<std::size_t>(batch + i) % texts.size()];
      w.Append(i % 3 == 0 ? EventType::Stderr : EventType::Stdout, text,
               static_cast<std::uint32_t>(batch * 1000 + i), static_cast<SegmentEnd>(i % 3));
    }
  }
  history.AppendLast(EventType::Exit, R"({"code":3})", 99);
  record.Stop();  // everything written and published
  const std::uint64_t last = history.Stats().last_seq;
  REQUIRE(last == 2002);
  CHECK(record.Status().events == last);

  for (const auto& [from, to] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{
           {1, last}, {1, 1}, {2, 2}, {500, 1500}, {1999, last}, {last, last}}) {
    CAPTURE(from);
    CAPTURE(to);
    std::uint64_t next = 0;
    CHECK_SAME(ReadRecord(record, from, to, RecordReader::Format::Sse, &next),
               HistoryBytes(history, from, to));
    CHECK(next == to + 1);
    CHECK_SAME(ReadRecord(record, from, to, RecordReader::Format::SseJson),
               HistoryAs(history, from, to, RecordReader::Format::SseJson));
    CHECK_SAME(ReadRecord(record, from, to, RecordReader::Format::LogText),
               HistoryAs(history, from, to, RecordReader::Format::LogText));
  }
  // One reader going on from where it stopped, in small steps.
  RecordReader reader(record);
  std::string out, scratch;
  std::uint64_t cursor = 1;
  while (cursor <= last) {
    const auto result = reader.Read(cursor, std::min<std::uint64_t>(cursor + 6, last),
                                    RecordReader::Format::Sse, out, scratch);
    REQUIRE(result.appended);
    cursor = result.next_seq;
  }
  CHECK_SAME(out, HistoryBytes(history, 1, last));
  // Nothing past the end.
  CHECK_FALSE(reader.Read(last + 1, last + 10, RecordReader::Format::Sse, out, scratch).appended);
}

TEST_CASE("record: past --record-max the oldest are dropped and a reader gets a gap") {
  TempDir dir;
  History history("cap", {});
  constexpr std::uint64_t kMax = 16 << 10;
  int batches = 0;
  SUBCASE("far past the cap") {
    batches = 100;
  }
  // The hole then is smaller than one read of the reader: it reads across it.
  SUBCASE("a little past the cap") {
    batches = 7;
  }
  RunRecord record(history, {dir.file("capped.ndjson"), dir.path(), kMax});
  record.Start();
  {
    History::Writer w(history);
    w.Append(EventType::Start, "{}", 0);
  }
  for (int batch = 0; batch < batches; ++batch) {
    History::Writer w(history);
    for (int i = 0; i < 50; ++i) {
      w.Append(EventType::Stdout, "a line of some forty bytes, number " + std::to_string(i), 7);
    }
  }
  record.Stop();
  const std::uint64_t last = history.Stats().last_seq;
  REQUIRE(last == 1 + 50 * static_cast<std::uint64_t>(batches));
  const RecordStatus status = record.Status();
  CHECK_FALSE(status.error);
  CHECK(status.dropped > 0);
  CHECK(status.events + status.dropped == last);
  CHECK(status.bytes <= kMax);
  CHECK(status.bytes > kMax / 2);

  // From cursor 2: a gap for exactly what was dropped, then the rest without a hole.
  std::uint64_t next = 0;
  const std::string from_two = ReadRecord(record, 2, last, RecordReader::Format::Sse, &next);
  std::string gap;
  sse::AppendGap(gap, status.dropped);
  REQUIRE(from_two.size() > gap.size());
  CHECK_SAME(from_two.substr(0, gap.size()), gap);
  CHECK(from_two.find("event: gap", gap.size()) == std::string::npos);
  CHECK(next == last + 1);
  CHECK_SAME(from_two.substr(gap.size()), HistoryBytes(history, status.dropped + 2, last));

  // From cursor 1, as the stream pump reads (the start line alone, then on from 2 as
  // above): the start line, kept at the front. (Read at once: see the next test.)
  CHECK_SAME(ReadRecord(record, 1, 1, RecordReader::Format::Sse), HistoryBytes(history, 1, 1));
  // Whatever the reads, a gap counts exactly the events not given.
  {
    const std::string all = ReadRecord(record, 1, last, RecordReader::Format::Sse);
    std::uint64_t events = 0, missed = 0;
    for (std::size_t at = all.find("id: "); at != std::string::npos; at = all.find("id: ", at + 1))
      ++events;
    const std::string missed_key = "{\"missed\":";
    for (std::size_t at = all.find(missed_key); at != std::string::npos;
         at = all.find(missed_key, at + 1))
      missed += std::stoull(all.substr(at + missed_key.size()));
    CHECK(events + missed == last);
    const std::string expected = HistoryBytes(history, 1, last);
    CHECK(all.substr(all.size() - 200) == expected.substr(expected.size() - 200));
  }
  // /log text has no gap events.
  CHECK_SAME(ReadRecord(record, 2, last, RecordReader::Format::LogText),
             HistoryAs(history, status.dropped + 2, last, RecordReader::Format::LogText));

  // The dropped part of the file reads as zeros: a hole, not data.
  const std::string file = ReadFile(dir.file("capped.ndjson"));
  const std::vector<std::string> lines = Lines(file);
  REQUIRE(!lines.empty());
  CHECK(lines.front() == R"({"id":"cap.1","event":"start","data":{}})");
  const std::size_t first_kept = file.find("{\"id\":\"cap.", lines.front().size());
  REQUIRE(first_kept != std::string::npos);
  CHECK(file.find_first_not_of('\0', lines.front().size() + 1) == first_kept);
  const std::string kept = "{\"id\":\"cap." + std::to_string(status.dropped + 2) + "\",";
  CHECK(file.substr(first_kept, kept.size()) == kept);
}

TEST_CASE("record: a write error stops the record, and appends are then published at once") {
  TempDir dir;
  History history("full", {});
  // /dev/full opens, and every write to it fails with ENOSPC.
  RunRecord record(history, {"/dev/full", dir.path(), std::nullopt});
  record.Start();
  {
    History::Writer w(history);
    w.Append(EventType::Start, "{}", 0);
    w.Append(EventType::Stdout, "lost to the record", 0);
  }
  record.WaitWritten(2);  // returns once the record has stopped
  // The recorder gave up: what was pending is published without it.
  WaitPublished(history, 2);
  const RecordStatus status = record.Status();
  REQUIRE(status.error.has_value());
  CHECK(status.error->find("cannot write") != std::string::npos);
  CHECK(status.error->find(std::strerror(ENOSPC)) != std::string::npos);
  CHECK(status.events == 0);
  CHECK(record.StatusJson().find("\"error\":\"cannot write") != std::string::npos);
  CHECK_FALSE(record.Find(1).has_value());

  // From now on an append is readable as soon as it is appended.
  {
    History::Writer w(history);
    w.Append(EventType::Stdout, "after", 0);
  }
  CHECK(history.Stats().last_seq == 3);
  const History::Slice slice = history.Read(3);
  REQUIRE(slice.status == History::ReadStatus::Events);
  CHECK((*slice.begin()).data == "after");
  history.AppendLast(EventType::Exit, "{}", 0);
  CHECK(history.IsLastEvent(4));
  record.Stop();
}

// The hole --record-max punches is NUL bytes up to the first line kept, with no newline
// between them: a read from the start across it must still give that line.
TEST_CASE("record: a read across a small hole keeps the first line after it") {
  TempDir dir;
  History history("cap", {});
  RunRecord record(history, {dir.file("capped.ndjson"), dir.path(), 16 << 10});
  record.Start();
  {
    History::Writer w(history);
    w.Append(EventType::Start, "{}", 0);
  }
  for (int batch = 0; batch < 7; ++batch) {
    History::Writer w(history);
    for (int i = 0; i < 50; ++i) w.Append(EventType::Stdout, "line " + std::to_string(i), 7);
  }
  record.Stop();
  const std::uint64_t last = history.Stats().last_seq;
  const RecordStatus status = record.Status();
  REQUIRE(status.dropped > 0);
  std::string gap;
  sse::AppendGap(gap, status.dropped);
  CHECK_SAME(ReadRecord(record, 1, last, RecordReader::Format::Sse),
             HistoryBytes(history, 1, 1) + gap + HistoryBytes(history, status.dropped + 2, last));
}

// The temporary record writes compact lines (compact_line.hpp): a few bytes over each text,
// where --save's NDJSON takes some 70 more.
TEST_CASE("record: the temporary record is compact") {
  TempDir dir;
  History history("tmp", {});
  RunRecord record(history, {std::nullopt, dir.path(), std::nullopt});
  CHECK_FALSE(record.holds_json());
  record.Start();
  {
    History::Writer w(history);
    w.Append(EventType::Start, "{}", 0);
  }
  for (int batch = 0; batch < 100; ++batch) {
    History::Writer w(history);
    for (int i = 0; i < 100; ++i) w.Append(EventType::Stdout, std::to_string(batch * 100 + i), 3);
  }
  record.Stop();
  const RecordStatus status = record.Status();
  REQUIRE(status.events == 10001);
  CHECK(status.bytes < 10001 * 12);  // "on3 " + at most 4 digits + newline
  // One read hands a stream about 64 KiB, however many times the lines grow as SSE.
  {
    RecordReader reader(record);
    std::string out, scratch;
    const RecordReader::Result result =
        reader.Read(1, 10001, RecordReader::Format::Sse, out, scratch);
    CHECK(result.appended);
    CHECK(out.size() >= 60 << 10);
    CHECK(out.size() < (64 << 10) + 100);
  }
  CHECK_SAME(ReadRecord(record, 1, 10001, RecordReader::Format::Sse),
             HistoryBytes(history, 1, 10001));
}

// Ids that jump (a capped record being viewed: Writer::SkipTo) are written as a jump line;
// readers get the same gap the history gives, and the ids after it.
TEST_CASE("record: a temporary record keeps the ids across a jump") {
  TempDir dir;
  History history("jmp", {});
  RunRecord record(history, {std::nullopt, dir.path(), std::nullopt});
  record.Start();
  {
    History::Writer w(history);
    w.Append(EventType::Start, "{}", 0);
    for (int i = 0; i < 10; ++i) w.Append(EventType::Stdout, "before " + std::to_string(i), 1);
  }
  {
    History::Writer w(history);
    w.SkipTo(500);
    for (int i = 0; i < 10; ++i) w.Append(EventType::Stderr, "after " + std::to_string(i), 2);
  }
  history.AppendLast(EventType::Exit, R"({"code":0})", 3);
  record.Stop();
  const std::uint64_t last = history.Stats().last_seq;
  REQUIRE(last == 510);
  std::string gap;
  sse::AppendGap(gap, 500 - 12);
  CHECK_SAME(ReadRecord(record, 1, last, RecordReader::Format::Sse),
             HistoryBytes(history, 1, 11) + gap + HistoryBytes(history, 500, last));
  // From inside the jump, and from after it.
  sse::AppendGap(gap = "", 500 - 100);
  CHECK_SAME(ReadRecord(record, 100, last, RecordReader::Format::Sse),
             gap + HistoryBytes(history, 500, last));
  CHECK_SAME(ReadRecord(record, 505, last, RecordReader::Format::SseJson),
             HistoryAs(history, 505, last, RecordReader::Format::SseJson));
  // Event by event (what /search reads): the jump is a count before the event after it.
  RecordReader reader(record);
  std::string scratch;
  std::vector<std::string> seen;
  const auto result =
      reader.ReadEvents(10, last, scratch, [&](std::uint64_t missed, const record::Line& line) {
        seen.push_back(std::to_string(missed) + ":" + std::to_string(line.seq) + ":" +
                       std::string(line.text));
        return line.seq < 501;
      });
  CHECK(result.next_seq == 502);
  CHECK(seen == std::vector<std::string>{"0:10:before 8", "0:11:before 9", "488:500:after 0",
                                         "0:501:after 1"});
}

// --record-max with the temporary record: the hole's NULs are no compact line, so a reader
// asks the index where the kept lines start (their ids are not in the lines).
TEST_CASE("record: a capped temporary record gives a gap for exactly what it dropped") {
  TempDir dir;
  History history("ctmp", {});
  int batches = 0;
  SUBCASE("far past the cap") {
    batches = 200;
  }
  SUBCASE("a little past the cap") {
    batches = 12;
  }
  RunRecord record(history, {std::nullopt, dir.path(), 16 << 10});
  record.Start();
  {
    History::Writer w(history);
    w.Append(EventType::Start, "{}", 0);
  }
  for (int batch = 0; batch < batches; ++batch) {
    History::Writer w(history);
    for (int i = 0; i < 50; ++i) {
      w.Append(EventType::Stdout, "a line of some forty bytes, number " + std::to_string(i), 7);
    }
  }
  record.Stop();
  const std::uint64_t last = history.Stats().last_seq;
  const RecordStatus status = record.Status();
  REQUIRE(status.dropped > 0);
  CHECK(status.events + status.dropped == last);
  std::string gap;
  sse::AppendGap(gap, status.dropped);
  std::uint64_t next = 0;
  CHECK_SAME(ReadRecord(record, 1, last, RecordReader::Format::Sse, &next),
             HistoryBytes(history, 1, 1) + gap + HistoryBytes(history, status.dropped + 2, last));
  CHECK(next == last + 1);
  CHECK_SAME(ReadRecord(record, 2, last, RecordReader::Format::Sse),
             gap + HistoryBytes(history, status.dropped + 2, last));
  CHECK_SAME(ReadRecord(record, 2, last, RecordReader::Format::LogText),
             HistoryAs(history, status.dropped + 2, last, RecordReader::Format::LogText));
}

// Capture goes on while the disk does not answer: the command's 2,000,000 lines (far more
// than memory keeps, --history-bytes 1M) are all appended while the recorder is stuck in
// its second write; then the disk comes back. The events that left memory unwritten are
// lost to the record and to clients (a gap, one warning), and the record goes on.
TEST_CASE("record: a stalled disk does not stop capture") {
  TempDir dir;
  History history("st", {1000000, 1 << 20});
  StallingDisk disk;
  RunRecord record(history, {dir.file("run.ndjson"), dir.path(), std::nullopt, disk.Writer()});
  record.Start();
  History::Writer(history).Append(EventType::Start, "{}", 0);
  record.WaitWritten(1);
  constexpr int kLines = 2000000;
  std::atomic<bool> captured = false;
  std::thread capture([&] {  // as OutputReader does: a batch, then pace to the recorder
    for (int from = 1; from <= kLines; from += 1000) {
      {
        History::Writer w(history);
        for (int i = from; i < from + 1000; ++i) {
          w.Append(EventType::Stdout, std::to_string(i), 0);
        }
      }
      history.WaitForRecorder();
    }
    captured = true;
  });
  const bool went_on =
      testing::WaitUntil([&] { return captured.load(); }, std::chrono::seconds(60));
  CHECK_MESSAGE(went_on, "capture stopped while the disk stalled");
  CHECK(record.Status().events == 1);  // still stalled
  disk.Release();
  capture.join();
  history.AppendLast(EventType::Exit, "{}", 0);
  record.WaitWritten(kLines + 2);
  WaitPublished(history, kLines + 2);
  const RecordStatus status = record.Status();
  CHECK(status.dropped > 0);
  CHECK(status.events + status.dropped == kLines + 2);
  // The record went on after the disk came back: it ends with the run's last lines.
  const std::string file = ReadFile(dir.file("run.ndjson"));
  CHECK(file.find("{\"text\":\"" + std::to_string(kLines) + "\"") != std::string::npos);
  record.Stop();
}
