#include "serve/connection_server.hpp"

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

using namespace ssetail;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Runs `server` on 127.0.0.1, on a port of its choosing, for the lifetime of the guard.
// Register the handlers first: httplib does not take new ones while it listens.
class ServerThread {
 public:
  explicit ServerThread(ConnectionServer& server) : server_(server) {
    port_ = server_.bind_to_any_port("127.0.0.1");
    REQUIRE(port_ > 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    const auto deadline = Clock::now() + 10s;
    while (!server_.is_running() && Clock::now() < deadline) std::this_thread::sleep_for(1ms);
    if (!server_.is_running()) {
      thread_.detach();  // stop() does nothing before it runs: cannot join it
      FAIL("the server did not start listening");
    }
  }
  ~ServerThread() {
    server_.stop();
    thread_.join();
  }
  ServerThread(const ServerThread&) = delete;
  ServerThread& operator=(const ServerThread&) = delete;

  int port() const { return port_; }

 private:
  ConnectionServer& server_;
  std::thread thread_;
  int port_ = -1;
};

// A plain TCP client that writes raw bytes and reads with deadlines.
class RawClient {
 public:
  explicit RawClient(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  }
  ~RawClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  int fd() const { return fd_; }
  std::string& received() { return received_; }
  bool closed() const { return closed_; }

  // False when the server has gone (EPIPE, ECONNRESET).
  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads what has arrived, waiting at most `wait` for something. False once the server
  // has closed the connection (end of stream or reset).
  bool ReadSome(std::chrono::milliseconds wait) {
    if (closed_) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(wait.count())) <= 0) return true;
    char buffer[65536];
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      received_.append(buffer, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) return true;
    closed_ = true;
    return false;
  }

  // Reads until `done(received())` holds, the connection closes or `limit` passes.
  template <class Done>
  bool ReadUntil(Done done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = Clock::now() + limit;
    while (!done(received_)) {
      if (Clock::now() >= deadline || !ReadSome(10ms)) return done(received_);
    }
    return true;
  }
  bool ReadUntilText(std::string_view text, std::chrono::milliseconds limit = 10s) {
    return ReadUntil([&](const std::string& r) { return r.find(text) != std::string::npos; },
                     limit);
  }
  // Waits for the server to close the connection; true when it did within `limit`.
  bool WaitForClose(std::chrono::milliseconds limit = 10s) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      if (!ReadSome(10ms)) return true;
    }
    return false;
  }

 private:
  int fd_ = -1;
  std::string received_;
  bool closed_ = false;
};

struct Response {
  std::string status_line;
  std::string headers;  // the header lines, each ending in CRLF
  std::string body;
};

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Reads one whole response with a Content-Length body and takes it from what the client
// has received; nullopt when it does not come whole within `limit`.
std::optional<Response> ReadResponse(RawClient& client, std::chrono::milliseconds limit = 10s) {
  auto complete = [](const std::string& r) -> std::size_t {  // its length once whole, else 0
    const std::size_t head_end = r.find("\r\n\r\n");
    if (head_end == std::string::npos) return 0;
    const std::string head = Lower(r.substr(0, head_end + 2));
    const std::size_t at = head.find("\r\ncontent-length:");
    if (at == std::string::npos) return 0;
    const std::size_t length = std::stoul(head.substr(at + 17));
    const std::size_t total = head_end + 4 + length;
    return r.size() >= total ? total : 0;
  };
  if (!client.ReadUntil([&](const std::string& r) { return complete(r) > 0; }, limit)) {
    return std::nullopt;
  }
  std::string& r = client.received();
  const std::size_t total = complete(r);
  const std::size_t line_end = r.find("\r\n");
  const std::size_t head_end = r.find("\r\n\r\n");
  Response response{r.substr(0, line_end), r.substr(line_end + 2, head_end + 2 - line_end - 2),
                    r.substr(head_end + 4, total - head_end - 4)};
  r.erase(0, total);
  return response;
}

bool HasHeader(const Response& response, std::string_view line) {
  return Lower(response.headers).find(Lower(std::string(line)) + "\r\n") != std::string::npos;
}

// Timeouts short enough that stop() never waits long for a connection to end.
void ShortTimeouts(ConnectionServer& server, int seconds = 1) {
  server.set_read_timeout(seconds);
  server.set_write_timeout(seconds);
  server.set_keep_alive_timeout(seconds);
}

}  // namespace

TEST_CASE("connection server: a GET over a plain socket is answered") {
  ConnectionServer server(std::chrono::seconds(5));
  ShortTimeouts(server, 2);
  server.Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
    res.set_content("hello " + req.get_param_value("who"), "text/plain");
  });
  ServerThread running(server);

  RawClient client(running.port());
  REQUIRE(client.Send("GET /hello?who=you HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const auto response = ReadResponse(client);
  REQUIRE(response);
  CHECK(response->status_line == "HTTP/1.1 200 OK");
  CHECK(HasHeader(*response, "Content-Type: text/plain"));
  CHECK(response->body == "hello you");
  // It asked for the connection to be closed: it is, with nothing more sent.
  CHECK(client.WaitForClose(5s));
  CHECK(client.received().empty());

  RawClient other(running.port());
  REQUIRE(other.Send("GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const auto missing = ReadResponse(other);
  REQUIRE(missing);
  CHECK(missing->status_line == "HTTP/1.1 404 Not Found");
}

TEST_CASE("connection server: a keep-alive connection serves requests one after another") {
  ConnectionServer server(std::chrono::seconds(5));
  ShortTimeouts(server, 2);
  std::atomic<int> served{0};
  server.Get("/n", [&](const httplib::Request& req, httplib::Response& res) {
    res.set_content(std::to_string(++served) + " from " + std::to_string(req.remote_port),
                    "text/plain");
  });
  ServerThread running(server);

  RawClient client(running.port());
  sockaddr_in local{};
  socklen_t length = sizeof local;
  REQUIRE(::getsockname(client.fd(), reinterpret_cast<sockaddr*>(&local), &length) == 0);
  const std::string from = " from " + std::to_string(ntohs(local.sin_port));

  REQUIRE(client.Send("GET /n HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto first = ReadResponse(client);
  REQUIRE(first);
  CHECK(first->status_line == "HTTP/1.1 200 OK");
  CHECK(first->body == "1" + from);
  CHECK_FALSE(client.closed());

  REQUIRE(client.Send("GET /n HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto second = ReadResponse(client);
  REQUIRE(second);
  CHECK(second->body == "2" + from);

  // Two requests in one write (pipelined) are answered in order on the same connection.
  REQUIRE(
      client.Send("GET /n HTTP/1.1\r\nHost: x\r\n\r\nGET /n HTTP/1.1\r\nHost: x\r\n"
                  "Connection: close\r\n\r\n"));
  const auto third = ReadResponse(client);
  const auto fourth = ReadResponse(client);
  REQUIRE(third);
  REQUIRE(fourth);
  CHECK(third->body == "3" + from);
  CHECK(fourth->body == "4" + from);
  CHECK(HasHeader(*fourth, "Connection: close"));
  CHECK(client.WaitForClose(5s));
}

TEST_CASE("connection server: the request clock restarts after each response") {
  // Three requests 2 s apart on one connection outlast a 3 s deadline counted from the
  // connection; each one is served, for each has the whole deadline of its own.
  ConnectionServer server(std::chrono::seconds(3));
  ShortTimeouts(server, 4);
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  ServerThread running(server);
  RawClient client(running.port());
  for (int i = 0; i < 3; ++i) {
    CAPTURE(i);
    if (i > 0) std::this_thread::sleep_for(2s);  // the pause is the test, not a wait
    REQUIRE(client.Send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto response = ReadResponse(client);
    REQUIRE(response);
    CHECK(response->body == "ok");
  }
}

TEST_CASE("connection server: a handler takes the connection once its headers are sent") {
  ConnectionServer server(std::chrono::seconds(5));
  ShortTimeouts(server, 2);
  std::mutex mutex;
  std::condition_variable handed;
  std::optional<UniqueFd> taken;
  int fd_flags = -1;
  int nodelay = -1;
  std::atomic<int> released{0};

  server.Get("/take", [&](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider(
        "application/octet-stream",
        [&](std::size_t, httplib::DataSink&) {
          ConnectionServer::TakeConnection([&](UniqueFd socket) {
            // On httplib's thread, after it is done with the request.
            const int flags = ::fcntl(socket.get(), F_GETFD);
            int value = -1;
            socklen_t size = sizeof value;
            if (::getsockopt(socket.get(), IPPROTO_TCP, TCP_NODELAY, &value, &size) != 0) {
              value = -1;
            }
            std::lock_guard lock(mutex);
            fd_flags = flags;
            nodelay = value;
            taken = std::move(socket);
            handed.notify_all();
          });
          return false;  // httplib writes nothing more
        },
        [&](bool) { ++released; });
  });
  ServerThread running(server);

  RawClient client(running.port());
  REQUIRE(client.Send("GET /take HTTP/1.1\r\nHost: x\r\n\r\n"));
  UniqueFd socket;
  {
    std::unique_lock lock(mutex);
    REQUIRE(handed.wait_for(lock, 10s, [&] { return taken.has_value(); }));
    socket = std::move(*taken);
    CHECK((fd_flags >= 0 && (fd_flags & FD_CLOEXEC) != 0));
    CHECK(nodelay > 0);
  }
  REQUIRE(socket.valid());
  CHECK(released == 1);

  // The client has the headers (and, until the test writes, nothing after them).
  REQUIRE(client.ReadUntilText("\r\n\r\n"));
  const std::string head = client.received();
  CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(Lower(head).find("\r\ntransfer-encoding: chunked\r\n") != std::string::npos);
  CHECK(head.size() == head.find("\r\n\r\n") + 4);

  // The socket works both ways: httplib neither closed nor shut it down.
  const std::string ours = "5\r\nhello\r\n";
  REQUIRE(::send(socket.get(), ours.data(), ours.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(ours.size()));
  REQUIRE(client.ReadUntilText(ours));
  CHECK(client.received() == head + ours);  // no chunk or terminator of httplib's between
  CHECK_FALSE(client.closed());

  REQUIRE(client.Send("ping"));
  std::string got;
  const auto deadline = Clock::now() + 10s;
  while (got.size() < 4 && Clock::now() < deadline) {
    pollfd p{socket.get(), POLLIN, 0};
    if (::poll(&p, 1, 10) <= 0) continue;
    char buffer[16];
    const ssize_t n = ::recv(socket.get(), buffer, sizeof buffer, 0);
    if (n <= 0) break;
    got.append(buffer, static_cast<std::size_t>(n));
  }
  CHECK(got == "ping");

  // Still ours after httplib's own timeouts (2 s) would have ended a connection it kept:
  // the client sees the end only when the test closes it.
  CHECK_FALSE(client.WaitForClose(2500ms));
  socket.reset();
  CHECK(client.WaitForClose(5s));
  CHECK(client.received() == head + ours);
}

TEST_CASE("connection server: TakeConnection outside a request does nothing") {
  bool called = false;
  ConnectionServer::TakeConnection([&](UniqueFd) { called = true; });
  CHECK_FALSE(called);
}

TEST_CASE("connection server: a handler may have the connection closed after its response") {
  // A keep-alive timeout (3 s) well past the wait for the close (1.5 s): without
  // CloseAfterResponse the connection would stay open for the next request.
  ConnectionServer server(std::chrono::seconds(5));
  ShortTimeouts(server, 3);
  server.Get("/full", [](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_header("Connection", "keep-alive");  // replaced, not repeated
    res.set_content("full", "text/plain");
    ConnectionServer::CloseAfterResponse(res);
  });
  server.Get("/ok", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  ServerThread running(server);

  RawClient client(running.port());
  // Three pipelined requests: the first is answered and the connection kept for more, the
  // second's handler asks for the close, and the third gets no answer.
  REQUIRE(
      client.Send("GET /ok HTTP/1.1\r\nHost: x\r\n\r\nGET /full HTTP/1.1\r\nHost: x\r\n\r\n"
                  "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto first = ReadResponse(client);
  REQUIRE(first);
  CHECK(first->body == "ok");
  CHECK_FALSE(HasHeader(*first, "Connection: close"));
  const auto full = ReadResponse(client);
  REQUIRE(full);
  CHECK(full->status_line == "HTTP/1.1 503 Service Unavailable");
  CHECK(full->body == "full");
  CHECK(HasHeader(*full, "Connection: close"));
  CHECK(Lower(full->headers).find("connection: keep-alive") == std::string::npos);
  CHECK(client.WaitForClose(1500ms));
  CHECK(client.received().empty());  // the pipelined third request got no answer
}

TEST_CASE("connection server: CloseAfterResponse outside a request only sets the header") {
  httplib::Response res;
  res.set_header("Connection", "keep-alive");
  ConnectionServer::CloseAfterResponse(res);
  CHECK(res.get_header_value_count("Connection") == 1);
  CHECK(res.get_header_value("Connection") == "close");
}

// "/" answers "ok" and counts the requests that reached it.
void CountRequests(ConnectionServer& server, std::atomic<int>& handled) {
  server.Get("/", [&handled](const httplib::Request&, httplib::Response& res) {
    ++handled;
    res.set_content("ok", "text/plain");
  });
}

TEST_CASE("connection server: a client that stops halfway through its request is dropped") {
  ConnectionServer server(std::chrono::seconds(1));
  ShortTimeouts(server, 1);
  std::atomic<int> handled{0};
  CountRequests(server, handled);
  ServerThread running(server);

  const auto connected = Clock::now();
  RawClient client(running.port());
  REQUIRE(client.Send("GET / HTTP/1.1\r\nHost: x\r\nX-Half: "));
  REQUIRE(client.WaitForClose(5s));
  const auto after = Clock::now() - connected;
  CHECK(after >= 950ms);
  // One deadline, not a second one as a keep-alive connection after the 400 (see below).
  CHECK(after < 2500ms);
  CHECK(handled == 0);
  CHECK(client.received().find(" 200 ") == std::string::npos);
}

TEST_CASE("connection server: a client trickling its request line is dropped at the deadline") {
  // Slowloris: one byte every 100 ms never trips the per-read timeout (3 s here); only the
  // whole-request deadline (1 s) ends it.
  ConnectionServer server(std::chrono::seconds(1));
  ShortTimeouts(server, 3);
  std::atomic<int> handled{0};
  CountRequests(server, handled);
  ServerThread running(server);

  const auto connected = Clock::now();
  RawClient client(running.port());
  const std::string request = "GET /" + std::string(200, 'a') + " HTTP/1.1\r\n";
  bool dropped = false;
  for (std::size_t i = 0; i < request.size() && !dropped; ++i) {
    if (!client.Send(std::string_view(request).substr(i, 1))) dropped = true;
    if (!client.ReadSome(100ms)) dropped = true;
    if (Clock::now() - connected > 10s) break;
  }
  const auto after = Clock::now() - connected;
  REQUIRE(dropped);
  CHECK(after >= 950ms);
  CHECK(after < 2500ms);
  CHECK(handled == 0);
  CHECK(client.received().empty());
}

// When the deadline passes while httplib reads the request's headers, process_request
// answers 400 with a Keep-Alive header and returns true. Before the connection noted that
// the deadline had passed, it then restarted the clock for a "next request": a client that
// started a request again whenever it got the 400 held a worker thread for
// keep_alive_max_count (5) deadlines, 50 s in ssetail rather than 10 s.
TEST_CASE("connection server: a client that never completes a request is dropped at the deadline") {
  ConnectionServer server(std::chrono::seconds(1));
  ShortTimeouts(server, 3);
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok", "text/plain");
  });
  ServerThread running(server);

  const auto connected = Clock::now();
  RawClient client(running.port());
  const std::string start = "GET / HTTP/1.1\r\nHost: x\r\n";
  bool open = client.Send(start);
  int bad_requests = 0;
  while (open && Clock::now() - connected < 15s) {
    // A header line every 300 ms: each read is quick, the request never ends.
    open = client.Send("X-More: b\r\n") && client.ReadSome(300ms);
    const std::size_t answer = client.received().find("HTTP/1.1 400");
    if (answer != std::string::npos) {
      ++bad_requests;
      client.received().erase(0, answer + 12);
      open = open && client.Send(start);  // and again, on the same connection
    }
  }
  const auto after = Clock::now() - connected;
  CHECK(after >= 950ms);
  CHECK(after < 2500ms);  // was about 5 s, after five 400 responses
  CHECK(bad_requests <= 1);
}
