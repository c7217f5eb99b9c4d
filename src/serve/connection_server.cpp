#include "serve/connection_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ssetail {

using Clock = std::chrono::steady_clock;

namespace {

// The history is the buffer; the kernel's autotuned 4 MiB per socket, times a thousand
// clients, only puts TCP under memory pressure and stalls sends (bench scenario 5).
constexpr int kSendBufferBytes = 256 * 1024;
constexpr std::size_t kReadBufferBytes = 4096;

// Waits until `fd` is ready for `events` or `until` passes. False on timeout or error.
bool WaitFor(int fd, short events, Clock::time_point until) {
  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1 << 30)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

void AddressOf(const sockaddr_storage& address, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof text);
    port = ntohs(v4.sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof text);
    port = ntohs(v6.sin6_port);
  }
  ip = text;
}

// One accepted connection as httplib reads and writes it: reads wait no longer than the
// read timeout nor past the request deadline, writes no longer than the write timeout.
// Reads are buffered (httplib reads the request line and headers a byte at a time).
class Connection final : public httplib::Stream {
 public:
  Connection(UniqueFd socket, std::chrono::seconds read_timeout, std::chrono::seconds write_timeout)
      : socket_(std::move(socket)), read_timeout_(read_timeout), write_timeout_(write_timeout) {
    const int fd = socket_.get();
    // httplib accepts without SOCK_CLOEXEC. The command gets no descriptor of ours either
    // way (its exec setup marks them all close-on-exec); this keeps the socket out of any
    // other exec. These calls fail only for a socket that is already dead: the first read
    // or write reports that.
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    // Events are small and latency matters: no Nagle delay waiting for the peer's ACK.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kSendBufferBytes, sizeof kSendBufferBytes);
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      AddressOf(address, remote_ip_, remote_port_);
    }
    length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
      AddressOf(address, local_ip_, local_port_);
    }
  }

  // The clock of the next request starts now.
  void StartRequestClock(std::chrono::seconds deadline) { deadline_ = Clock::now() + deadline; }

  // Waits, at most `idle`, for the first byte of the next request.
  bool WaitForRequest(std::chrono::seconds idle) {
    return buffered() > 0 ||
           WaitFor(socket_.get(), POLLIN, std::min(Clock::now() + idle, deadline_));
  }

  UniqueFd Release() { return std::move(socket_); }
  bool open() const { return socket_.valid(); }

  // --- httplib::Stream
  bool is_readable() const override {
    if (buffered() > 0 || WaitFor(socket_.get(), POLLIN, ReadLimit())) return true;
    deadline_passed_ = deadline_passed_ || Clock::now() >= deadline_;
    return false;
  }

  // A read gave up because the request deadline passed: httplib may still answer (400),
  // but the connection must end then, not wait for another request.
  bool deadline_passed() const { return deadline_passed_; }
  bool is_writable() const override {
    return WaitFor(socket_.get(), POLLOUT, Clock::now() + write_timeout_);
  }
  ssize_t read(char* ptr, std::size_t size) override {
    if (buffered() == 0) {
      if (!is_readable()) return -1;
      buffer_.resize(kReadBufferBytes);
      ssize_t n;
      do {
        n = ::recv(socket_.get(), buffer_.data(), buffer_.size(), 0);
      } while (n < 0 && errno == EINTR);
      if (n <= 0) return n;
      begin_ = 0;
      end_ = static_cast<std::size_t>(n);
    }
    const std::size_t n = std::min(size, buffered());
    std::memcpy(ptr, buffer_.data() + begin_, n);
    begin_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, std::size_t size) override {
    if (!is_writable()) return -1;
    ssize_t n;
    do {
      n = ::send(socket_.get(), ptr, size, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = remote_ip_;
    port = remote_port_;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = local_ip_;
    port = local_port_;
  }
  socket_t socket() const override { return socket_.get(); }

 private:
  std::size_t buffered() const { return end_ - begin_; }
  Clock::time_point ReadLimit() const { return std::min(Clock::now() + read_timeout_, deadline_); }

  UniqueFd socket_;
  const std::chrono::seconds read_timeout_;
  const std::chrono::seconds write_timeout_;
  Clock::time_point deadline_ = Clock::time_point::max();
  mutable bool deadline_passed_ = false;
  // On the heap, not the thread's stack: a thousand connecting clients would otherwise
  // keep a page each resident in request threads that linger (bench scenario 6).
  std::string buffer_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::string remote_ip_, local_ip_;
  int remote_port_ = 0, local_port_ = 0;
};

// What the request being served on this thread asked for: a hand-over (see TakeConnection)
// or an early close (see CloseAfterResponse).
struct AfterResponse {
  std::function<void(UniqueFd)> take;
  bool close = false;
};
thread_local AfterResponse* t_after = nullptr;

}  // namespace

ConnectionServer::ConnectionServer(std::chrono::seconds request_deadline)
    : request_deadline_(request_deadline) {}

void ConnectionServer::TakeConnection(std::function<void(UniqueFd)> take) {
  if (t_after != nullptr) t_after->take = std::move(take);
}

void ConnectionServer::CloseAfterResponse(httplib::Response& res) {
  res.headers.erase("Connection");  // e.g. a `keep-alive` set earlier
  res.set_header("Connection", "close");
  if (t_after != nullptr) t_after->close = true;
}

bool ConnectionServer::process_and_close_socket(socket_t sock) {
  Connection connection{UniqueFd(sock), std::chrono::seconds(read_timeout_sec_),
                        std::chrono::seconds(write_timeout_sec_)};
  connection.StartRequestClock(request_deadline_);
  bool ok = false;
  for (std::size_t left = keep_alive_max_count_; left > 0; --left) {
    // Stop between requests once the server is stopping (httplib's own loop does so too).
    if (svr_sock_ == INVALID_SOCKET) break;
    if (!connection.WaitForRequest(std::chrono::seconds(keep_alive_timeout_sec_))) break;
    bool closed = false;
    AfterResponse after;
    t_after = &after;
    ok = process_request(connection, left == 1, closed, nullptr);
    t_after = nullptr;
    if (after.take) {
      after.take(connection.Release());
      return true;
    }
    if (!ok || closed || after.close || connection.deadline_passed()) break;
    connection.StartRequestClock(request_deadline_);
  }
  // Done with it: the peer sees the end at once, whoever else still holds the descriptor.
  // It fails only for a peer that is gone already, which is the same end.
  ::shutdown(connection.socket(), SHUT_RDWR);
  return ok;
}

}  // namespace ssetail
