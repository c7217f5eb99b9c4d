#include "capture/output_reader.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using namespace ssetail;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

struct Pipe {
  UniqueFd read, write;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    read.reset(fds[0]);
    write.reset(fds[1]);
  }
};

void WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    REQUIRE(n > 0);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Bytes written to a pipe and not read yet.
int Unread(int pipe_fd) {
  int n = -1;
  REQUIRE(::ioctl(pipe_fd, FIONREAD, &n) == 0);
  return n;
}

struct Segment {
  EventType type;
  std::string text;
  SegmentEnd end;
  bool operator==(const Segment&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Segment& s) {
  const char* ends[] = {"NL", "CR", "PARTIAL"};
  return os << EventTypeName(s.type) << ":\"" << s.text << "\":" << ends[static_cast<int>(s.end)];
}

using Segments = std::vector<Segment>;
constexpr auto kOut = EventType::Stdout;
constexpr auto kErr = EventType::Stderr;
constexpr auto kNl = SegmentEnd::Newline;
constexpr auto kCr = SegmentEnd::CarriageReturn;
constexpr auto kPartial = SegmentEnd::Partial;

// One history with a start event, an io_context run by the test itself, and readers.
struct Capture {
  boost::asio::io_context io;
  Clock::time_point run_start = Clock::now();
  History history{"run", {}};
  std::uint64_t cursor = 2;  // after the start event
  Segments seen;
  std::vector<std::uint32_t> times;  // t_ms of each of `seen`

  Capture() {
    History::Writer w(history);
    w.Append(EventType::Start, "{}", 0);
  }

  // Reads the events appended since the last call into `seen`.
  void Collect() {
    for (;;) {
      const auto slice = history.Read(cursor);
      if (slice.status != History::ReadStatus::Events) return;
      REQUIRE(slice.missed == 0);
      for (const EventView& e : slice) {
        seen.push_back({e.type, std::string(e.data), e.end});
        times.push_back(e.t_ms);
      }
      cursor = slice.next_seq;
    }
  }

  // Runs the io_context until `done()` holds (checked after each handler, with the events
  // collected) or `limit` passes. True when it holds.
  template <class Done>
  bool RunUntil(Done done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = Clock::now() + limit;
    for (;;) {
      Collect();
      if (done()) return true;
      if (Clock::now() >= deadline) return false;
      if (io.stopped()) io.restart();
      if (io.run_one_for(10ms) == 0 && io.stopped()) std::this_thread::sleep_for(1ms);
    }
  }
  bool RunUntilSeen(std::size_t count, std::chrono::milliseconds limit = 10s) {
    return RunUntil([&] { return seen.size() >= count; }, limit);
  }

  // Runs whatever handlers are left (the readers are done): true when the io_context ran
  // out of work within `limit`, so that nothing more can happen.
  bool RunToCompletion(std::chrono::milliseconds limit = 10s) {
    io.restart();
    io.run_for(limit);
    Collect();
    return io.stopped();
  }
};

// One stream read into `capture`, with the test's end of its pipe.
struct Stream {
  Pipe pipe;
  std::optional<OutputReader> reader;
  int eof_calls = 0;
  std::uint64_t last_seq_at_eof = 0;

  Stream(Capture& capture, EventType type, int echo_fd = -1) {
    reader.emplace(capture.io, std::move(pipe.read), type, capture.history, capture.run_start,
                   echo_fd);
    reader->Start([this, &capture] {
      ++eof_calls;
      last_seq_at_eof = capture.history.Stats().last_seq;
    });
  }
  void Write(std::string_view bytes) { WriteAll(pipe.write.get(), bytes); }
  void Close() { pipe.write.reset(); }
};

}  // namespace

TEST_CASE("output reader: bytes become events of the stream's type, in order") {
  Capture capture;
  Stream err(capture, kErr);
  err.Write("one\ntwo\r\nthree\rfour\n\n");
  REQUIRE(capture.RunUntilSeen(5));
  err.Write("five\n\xC3\xA9t\xC3\xA9\n");
  REQUIRE(capture.RunUntilSeen(7));
  CHECK(capture.seen == Segments{{kErr, "one", kNl},
                                 {kErr, "two", kNl},
                                 {kErr, "three", kCr},
                                 {kErr, "four", kNl},
                                 {kErr, "", kNl},
                                 {kErr, "five", kNl},
                                 {kErr, "\xC3\xA9t\xC3\xA9", kNl}});
  // A line whose end comes in a later read is one event.
  err.Write("sev");
  REQUIRE(capture.RunUntil([&] { return Unread(err.pipe.write.get()) == 0; }));
  err.Write("en\n");
  REQUIRE(capture.RunUntilSeen(8));
  CHECK(capture.seen.back() == Segment{kErr, "seven", kNl});
  // Nothing was emitted that was not asked for.
  err.Close();
  REQUIRE(capture.RunUntil([&] { return err.eof_calls == 1; }));
  CHECK(capture.RunToCompletion());
  CHECK(capture.seen.size() == 8);
}

TEST_CASE("output reader: two streams into one history keep the order they were read in") {
  Capture capture;
  Stream out(capture, kOut);
  Stream err(capture, kErr);
  out.Write("a\n");
  REQUIRE(capture.RunUntilSeen(1));
  err.Write("b\n");
  REQUIRE(capture.RunUntilSeen(2));
  out.Write("c\n");
  REQUIRE(capture.RunUntilSeen(3));
  CHECK(capture.seen == Segments{{kOut, "a", kNl}, {kErr, "b", kNl}, {kOut, "c", kNl}});
  const auto stats = capture.history.Stats();
  CHECK(stats.stdout_events == 2);
  CHECK(stats.stderr_events == 1);
}

TEST_CASE("output reader: a partial line is flushed after 200 ms of silence, flagged partial") {
  Capture capture;
  Stream out(capture, kOut);
  const auto written = Clock::now();
  out.Write("prompt> ");
  REQUIRE(capture.RunUntilSeen(1, 5s));
  const auto waited = Clock::now() - written;
  CHECK(capture.seen == Segments{{kOut, "prompt> ", kPartial}});
  CHECK(waited >= OutputReader::kIdleFlush);
  CHECK(capture.times[0] >= 200);
  // The rest of the line continues it; the flushed part is not sent again.
  out.Write("yes\n");
  REQUIRE(capture.RunUntilSeen(2));
  CHECK(capture.seen[1] == Segment{kOut, "yes", kNl});

  // An incomplete UTF-8 character at the end waits for its last byte.
  out.Write("caf\xC3");
  REQUIRE(capture.RunUntilSeen(3, 5s));
  CHECK(capture.seen[2] == Segment{kOut, "caf", kPartial});
  out.Write("\xA9\n");
  REQUIRE(capture.RunUntilSeen(4));
  CHECK(capture.seen[3] == Segment{kOut, "\xC3\xA9", kNl});

  // A line ended before the idle period is one event, not a partial one and its rest.
  out.Write("whole\n");
  REQUIRE(capture.RunUntilSeen(5));
  CHECK(capture.seen[4] == Segment{kOut, "whole", kNl});
  out.Close();
  REQUIRE(capture.RunUntil([&] { return out.eof_calls == 1; }));
  CHECK(capture.RunToCompletion());
  CHECK(capture.seen.size() == 5);
}

TEST_CASE("output reader: at EOF what is pending is emitted, then on_eof runs once") {
  Capture capture;
  Stream a(capture, kOut);
  Stream b(capture, kErr);
  Stream c(capture, kOut);
  a.Write("first\nlast words");
  b.Write("progress 50%\r");
  c.Write("done\n");
  a.Close();
  b.Close();
  c.Close();
  REQUIRE(capture.RunUntil([&] { return a.eof_calls && b.eof_calls && c.eof_calls; }));
  CHECK(capture.RunToCompletion());
  CHECK(a.eof_calls == 1);
  CHECK(b.eof_calls == 1);
  CHECK(c.eof_calls == 1);
  CHECK(a.reader->finished());
  // The three streams' events interleave as read; each stream's are in its own order.
  Segments from_a, from_b, from_c;
  for (const Segment& seg : capture.seen) {
    (seg.type == kErr ? from_b : seg.text == "done" ? from_c : from_a).push_back(seg);
  }
  CHECK(from_a == Segments{{kOut, "first", kNl}, {kOut, "last words", kPartial}});
  CHECK(from_b == Segments{{kErr, "progress 50%", kCr}});
  CHECK(from_c == Segments{{kOut, "done", kNl}});
  CHECK(capture.seen.size() == 4);
  // Each on_eof ran after its stream's last segment was in the history.
  auto seq_of = [&](std::string_view text) {
    for (std::size_t i = 0; i < capture.seen.size(); ++i) {
      if (capture.seen[i].text == text) return i + 2;  // seq 1 is the start event
    }
    return std::size_t{0};
  };
  CHECK(a.last_seq_at_eof >= seq_of("last words"));
  CHECK(b.last_seq_at_eof >= seq_of("progress 50%"));
  CHECK(c.last_seq_at_eof >= seq_of("done"));
}

TEST_CASE("output reader: on_eof follows the last segment at once, not the idle period") {
  Capture capture;
  Stream out(capture, kOut);
  out.Write("no newline");
  out.Close();
  const auto closed = Clock::now();
  REQUIRE(capture.RunUntil([&] { return out.eof_calls == 1; }));
  CHECK(Clock::now() - closed < OutputReader::kIdleFlush);
  CHECK(capture.seen == Segments{{kOut, "no newline", kPartial}});
  CHECK(out.last_seq_at_eof == 2);
  CHECK(capture.RunToCompletion());
  CHECK(out.eof_calls == 1);
}

TEST_CASE("output reader: the echo fd receives every byte unchanged") {
  Capture capture;
  Pipe echo;
  Stream out(capture, kOut, echo.write.get());

  std::string input;
  for (int i = 0; i < 20000; ++i) {
    input += "line " + std::to_string(i) + "\n";
    if (i == 7000) {
      // Invalid UTF-8, a NUL, an escape sequence, CRLF, CR CR LF, a truncated character.
      const char odd[] = "\xFF\0bin\x1b[1m\r\n\r\r\n\xC3\n";
      input.append(odd, sizeof odd - 1);
    }
  }
  input += "tail\r";

  // The echo target, drained by a thread of its own until the test closes it.
  std::string echoed;
  std::thread drain([&] {
    char buffer[65536];
    ssize_t n;
    while ((n = ::read(echo.read.get(), buffer, sizeof buffer)) > 0) echoed.append(buffer, n);
  });
  // The command, writing in uneven pieces.
  std::thread writer([&] {
    std::size_t at = 0, piece = 1;
    while (at < input.size()) {
      const std::size_t n = std::min(piece, input.size() - at);
      WriteAll(out.pipe.write.get(), std::string_view(input).substr(at, n));
      at += n;
      piece = piece * 7 % 100003 + 1;
    }
    out.Close();
  });
  const bool ended = capture.RunUntil([&] { return out.eof_calls == 1; }, 60s);
  writer.join();
  echo.write.reset();  // the reader does not own it
  drain.join();
  REQUIRE(ended);
  CHECK(echoed.size() == input.size());
  CHECK(echoed == input);

  // The history has every line, the unusual ones repaired, the rest as written.
  CHECK(capture.seen.size() == 20000 + 4);
  std::size_t next = 0;
  for (const Segment& seg : capture.seen) {
    if (seg.text == "line " + std::to_string(next)) ++next;
  }
  CHECK(next == 20000);
  CHECK(capture.seen.back() == Segment{kOut, "tail", kCr});
  for (const Segment& seg : capture.seen) {
    CHECK(seg.text.find_first_of(std::string("\r\n\0", 3)) == std::string::npos);
  }
}

TEST_CASE("output reader: Stop before EOF emits what is pending and calls on_eof") {
  Capture capture;
  Stream out(capture, kOut);
  out.Write("complete\npending");
  REQUIRE(
      capture.RunUntil([&] { return !capture.seen.empty() && Unread(out.pipe.write.get()) == 0; }));
  REQUIRE(capture.seen.size() == 1);
  CHECK(out.eof_calls == 0);
  CHECK_FALSE(out.reader->finished());
  // The idle timer for "pending" is armed; Stop comes first.
  out.reader->Stop();
  CHECK(out.reader->finished());
  CHECK(out.eof_calls == 1);
  capture.Collect();
  CHECK(capture.seen == Segments{{kOut, "complete", kNl}, {kOut, "pending", kPartial}});
  CHECK(out.last_seq_at_eof == 3);
  // Stopping again, and the cancelled read and timer, add nothing.
  out.reader->Stop();
  CHECK(capture.RunToCompletion());
  CHECK(out.eof_calls == 1);
  CHECK(capture.seen.size() == 2);
  // The write end is still open (a grandchild holds it): it makes no difference.
  CHECK(out.pipe.write.valid());
}

TEST_CASE("output reader: Stop with nothing pending just ends; Stop after EOF is a no-op") {
  Capture capture;
  Stream quiet(capture, kOut);
  Stream ended(capture, kErr);
  ended.Write("bye\n");
  ended.Close();
  REQUIRE(capture.RunUntil([&] { return ended.eof_calls == 1; }));
  quiet.reader->Stop();
  ended.reader->Stop();
  CHECK(quiet.eof_calls == 1);
  CHECK(ended.eof_calls == 1);
  CHECK(capture.RunToCompletion());
  CHECK(quiet.eof_calls == 1);
  CHECK(ended.eof_calls == 1);
  CHECK(capture.seen == Segments{{kErr, "bye", kNl}});
}
