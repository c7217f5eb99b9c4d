#include "serve/stream_pump.hpp"

#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "wait_until.hpp"

using namespace ssetail;
using testing::WaitUntil;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// One end of a connected pair for the pump, the other for the test (the "client").
struct Client {
  int fd = -1;
  std::string raw;  // everything received, still chunk-encoded
  bool eof = false;

  Client() = default;
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client() {
    if (fd >= 0) ::close(fd);
  }

  // Reads for up to `wait`, or until the stream ends.
  void ReadFor(std::chrono::milliseconds wait) { ReadUntil("", wait); }

  // Reads until the bytes received hold `text`, the stream ends, or `limit` passes.
  // True when they hold it.
  bool ReadUntil(std::string_view text, std::chrono::milliseconds limit = 10s) {
    const auto deadline = Clock::now() + limit;
    while (!eof && Clock::now() < deadline) {
      if (!text.empty() && raw.find(text) != std::string::npos) return true;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      char buffer[65536];
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) {
        eof = true;
      } else {
        raw.append(buffer, static_cast<std::size_t>(n));
      }
    }
    return !text.empty() && raw.find(text) != std::string::npos;
  }

  // The body without the chunk framing; fails the test on a malformed chunk.
  std::string Body() const {
    std::string body;
    std::size_t at = 0;
    while (at < raw.size()) {
      const std::size_t line_end = raw.find("\r\n", at);
      REQUIRE(line_end != std::string::npos);
      const std::size_t size = std::stoul(raw.substr(at, line_end - at), nullptr, 16);
      if (size == 0) {
        CHECK(raw.substr(line_end) == "\r\n\r\n");
        return body + "<end>";
      }
      REQUIRE(line_end + 2 + size + 2 <= raw.size());
      body.append(raw, line_end + 2, size);
      CHECK(raw.substr(line_end + 2 + size, 2) == "\r\n");
      at = line_end + 2 + size + 2;
    }
    return body;
  }
};

// Connects a client to `pump`, which streams `history` to it from `cursor` on; `keep` goes
// with the stream.
void Connect(StreamPump& pump, History& history, StreamSlots& slots, Client& client,
             std::uint64_t cursor = 1, int client_buffer = 0,
             std::shared_ptr<const void> keep = nullptr) {
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) == 0);
  if (client_buffer > 0) {
    ::setsockopt(pair[0], SOL_SOCKET, SO_RCVBUF, &client_buffer, sizeof client_buffer);
    ::setsockopt(pair[1], SOL_SOCKET, SO_SNDBUF, &client_buffer, sizeof client_buffer);
  }
  REQUIRE(slots.TryAcquire());
  client.fd = pair[0];
  pump.Add(UniqueFd(pair[1]), {&history, nullptr, std::move(keep)}, cursor, false);
}

// Whether every open stream has sent the final event, as the slots' listener tells it.
bool AllFinished(StreamSlots& slots) {
  bool all = false;
  slots.SetAllFinishedListener([&all] { all = true; });
  slots.SetAllFinishedListener(nullptr);
  return all;
}

void AppendLines(History& h, int from, int to) {
  History::Writer w(h);
  for (int i = from; i <= to; ++i) w.Append(EventType::Stdout, std::to_string(i), 0);
}

std::string Expected(const std::string& run, int from, int to) {
  std::string out;
  for (int i = from; i <= to; ++i) {
    out += "id: " + run + "." + std::to_string(i) + "\nevent: stdout\ndata: " + std::to_string(i) +
           "\n\n";
  }
  return out;
}

}  // namespace

TEST_CASE("stream pump: preamble, every event in chunks, the final one, the last chunk") {
  History h("r", {});
  StreamSlots slots(10);
  StreamPump pump(slots, {});
  History::Writer(h).Append(EventType::Start, "{}", 0);
  Client client;
  Connect(pump, h, slots, client);
  AppendLines(h, 2, 5000);  // live, appended while the client is connected
  h.AppendLast(EventType::Exit, "{\"code\":0}", 0);
  client.ReadFor(5s);
  CHECK(client.eof);
  const std::string expected = std::string(sse::kStreamPreamble) +
                               "id: r.1\nevent: start\ndata: {}\n\n" + Expected("r", 2, 5000) +
                               "id: r.5001\nevent: exit\ndata: {\"code\":0}\n\n<end>";
  CHECK(client.Body() == expected);
  CHECK(WaitUntil([&] { return slots.open() == 0; }));
  CHECK(AllFinished(slots));
}

TEST_CASE("stream pump: a client that stops reading waits alone, then is dropped") {
  History h("r", {1000000, 64 << 20});
  StreamSlots slots(10);
  StreamPump pump(slots, {std::chrono::seconds(15), std::chrono::seconds(1)});
  Client stalled, reader;
  Connect(pump, h, slots, stalled, 1, 4096);
  Connect(pump, h, slots, reader, 1);
  AppendLines(h, 1, 200000);  // megabytes: far more than the stalled socket holds
  h.AppendLast(EventType::Exit, "{}", 0);
  reader.ReadFor(10s);
  CHECK(reader.eof);
  CHECK(reader.Body().ends_with("data: 200000\n\nid: r.200001\nevent: exit\ndata: {}\n\n<end>"));
  CHECK(WaitUntil([&] { return slots.open() == 0; }, 10s));  // the stalled one too, now
  CHECK(AllFinished(slots));  // released unfinished: nothing waits for it any more
  stalled.ReadFor(2s);        // what it got was cut off
  CHECK(stalled.eof);
  CHECK(stalled.raw.size() < 12 * 200000);
}

TEST_CASE("stream pump: a quiet stream gets heartbeats") {
  History h("r", {});
  StreamSlots slots(10);
  StreamPump pump(slots, {std::chrono::seconds(1), std::chrono::seconds(5)});
  Client client;
  Connect(pump, h, slots, client);
  const std::string ping(sse::kHeartbeat);
  // Heartbeats are due at 1 s and 2 s (checked every 250 ms): two arrive well within 10 s.
  REQUIRE(client.ReadUntil(ping + "\r\n" + std::to_string(ping.size()) + "\r\n" + ping));
  CHECK(client.Body().starts_with(std::string(sse::kStreamPreamble) + ping + ping));
}

TEST_CASE("stream pump: a stream resumes after the cursor, and a gone client frees its slot") {
  History h("r", {});
  StreamSlots slots(10);
  StreamPump pump(slots, {});
  AppendLines(h, 1, 10);
  {
    Client client;
    Connect(pump, h, slots, client, 8);
    REQUIRE(client.ReadUntil("data: 10\n\n"));
    CHECK(client.Body() == std::string(sse::kStreamPreamble) + Expected("r", 8, 10));
  }  // closed: the next write fails
  AppendLines(h, 11, 11);
  CHECK(WaitUntil([&] { return slots.open() == 0; }));
}

TEST_CASE("stream pump: Stop ends every stream with the last chunk") {
  History h("r", {});
  StreamSlots slots(10);
  Client client;
  {
    StreamPump pump(slots, {});
    Connect(pump, h, slots, client);
    AppendLines(h, 1, 1);
    REQUIRE(client.ReadUntil("data: 1\n\n"));
    pump.Stop();
  }
  client.ReadFor(1s);
  CHECK(client.eof);
  CHECK(client.Body() == std::string(sse::kStreamPreamble) + Expected("r", 1, 1) + "<end>");
  CHECK(slots.open() == 0);
}

TEST_CASE("stream pump: the slots tell when every stream has sent the final event") {
  History h("r", {});
  StreamSlots slots(10);
  StreamPump pump(slots, {});
  std::atomic<int> told{0};
  Client client;
  Connect(pump, h, slots, client);
  slots.SetAllFinishedListener([&told] { ++told; });
  AppendLines(h, 1, 3);
  REQUIRE(client.ReadUntil("data: 3\n\n"));
  CHECK(told == 0);  // the stream has not had the final event yet
  h.AppendLast(EventType::Exit, "{}", 0);
  CHECK(WaitUntil([&] { return told > 0; }));
  slots.SetAllFinishedListener(nullptr);
}

TEST_CASE("stream pump: one pump streams several runs, each from its own History") {
  History a("a", {}), b("b", {});
  StreamSlots slots(10);
  StreamPump pump(slots, {});
  Client to_a, to_b, also_a;
  Connect(pump, a, slots, to_a);
  Connect(pump, b, slots, to_b);
  Connect(pump, a, slots, also_a);
  CHECK(WaitUntil([&] { return pump.OpenStreams(a) == 2 && pump.OpenStreams(b) == 1; }));
  AppendLines(b, 1, 2);
  AppendLines(a, 1, 3);
  REQUIRE(to_a.ReadUntil("data: 3\n\n"));
  REQUIRE(to_b.ReadUntil("data: 2\n\n"));
  CHECK(to_a.Body() == std::string(sse::kStreamPreamble) + Expected("a", 1, 3));
  CHECK(to_b.Body() == std::string(sse::kStreamPreamble) + Expected("b", 1, 2));
  b.AppendLast(EventType::Exit, "{}", 0);
  to_b.ReadFor(5s);
  CHECK(to_b.eof);
  CHECK(WaitUntil([&] { return pump.OpenStreams(b) == 0 && pump.OpenStreams(a) == 2; }));
  AppendLines(a, 4, 4);  // a's streams go on
  CHECK(also_a.ReadUntil("data: 4\n\n"));
  CHECK(pump.open_streams() == 2);
}

TEST_CASE("stream pump: what keeps a stream's run alive goes when the stream ends") {
  History h("r", {});
  StreamSlots slots(10);
  StreamPump pump(slots, {});
  auto keep = std::make_shared<int>(1);
  const std::weak_ptr<int> kept = keep;
  {
    Client client;
    Connect(pump, h, slots, client, 1, 0, std::move(keep));
    AppendLines(h, 1, 1);
    REQUIRE(client.ReadUntil("data: 1\n\n"));
    CHECK_FALSE(kept.expired());
  }  // the client goes: the stream ends at the next write
  AppendLines(h, 2, 2);
  CHECK(WaitUntil([&] { return kept.expired(); }));
}

TEST_CASE("stream pump: a run that ends without exit (lost) ends its streams") {
  History h("r", {});
  StreamSlots slots(10);
  StreamPump pump(slots, {});
  History::Writer(h).Append(EventType::Start, "{}", 0);
  Client client;
  Connect(pump, h, slots, client);
  AppendLines(h, 2, 3);
  REQUIRE(client.ReadUntil("data: 3\n\n"));
  h.End();
  client.ReadFor(5s);
  CHECK(client.eof);
  CHECK(client.Body().ends_with("data: 3\n\n<end>"));
  CHECK(h.IsLastEvent(3));  // a client that resumes after it is told it has everything
  CHECK(WaitUntil([&] { return slots.open() == 0; }));
}
