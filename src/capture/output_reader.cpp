#include "capture/output_reader.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <boost/asio/error.hpp>
#include <cerrno>

namespace ssetail {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

OutputReader::OutputReader(asio::io_context& io, UniqueFd fd, EventType type, History& history,
                           Clock::time_point run_start, int echo_fd)
    : stream_(io, fd.release()),
      idle_timer_(io),
      type_(type),
      history_(history),
      run_start_(run_start),
      echo_fd_(echo_fd),
      buffer_(new char[kReadBytes]) {
  // A bigger pipe means fewer wake-ups of both the command and us. It fails for what is not
  // a pipe (a pty) and above the system's limit; the default size works as well, slower.
  ::fcntl(stream_.native_handle(), F_SETPIPE_SZ, 1 << 20);
}

void OutputReader::Start(std::function<void()> on_eof) {
  on_eof_ = std::move(on_eof);
  ReadMore();
}

void OutputReader::Stop() {
  if (finished_) return;
  boost::system::error_code ignored;
  stream_.cancel(ignored);
  Finish();
}

void OutputReader::ReadMore() {
  stream_.async_read_some(
      asio::buffer(buffer_.get(), kReadBytes),
      [this](const boost::system::error_code& error, std::size_t bytes) { OnRead(error, bytes); });
}

template <class Fn>
void OutputReader::AppendBatch(Fn&& feed) {
  const auto t_ms = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - run_start_).count());
  {
    History::Writer writer(history_);
    feed([&](std::string_view text, SegmentEnd end) { writer.Append(type_, text, t_ms, end); });
  }
  history_.WaitForRecorder();
}

void OutputReader::OnRead(const boost::system::error_code& error, std::size_t bytes) {
  if (finished_) return;  // Stop() already emitted everything
  if (bytes > 0) {
    Echo(buffer_.get(), bytes);
    AppendBatch([&](auto&& emit) { splitter_.Feed(std::string_view(buffer_.get(), bytes), emit); });
  }
  if (error) {
    // EOF on a pipe; EIO on a pty whose other side is gone; anything else ends it too.
    Finish();
    return;
  }
  if (splitter_.HasPending()) {
    last_read_ = Clock::now();
    if (!idle_timer_armed_) ArmIdleTimer(kIdleFlush);
  }
  ReadMore();
}

void OutputReader::ArmIdleTimer(Clock::duration after) {
  idle_timer_armed_ = true;
  idle_timer_.expires_after(after);
  idle_timer_.async_wait([this](const boost::system::error_code& e) {
    idle_timer_armed_ = false;
    if (!e && !finished_) OnIdle();
  });
}

// The timer is armed once per idle period rather than re-armed on every read: a fast
// stream would otherwise pay a timer update per read.
void OutputReader::OnIdle() {
  auto quiet_for = Clock::now() - last_read_;
  // Bytes waiting in the pipe mean we, not the command, were slow: that is not silence.
  // (A failed poll counts as silence.)
  pollfd ready{stream_.native_handle(), POLLIN, 0};
  if (::poll(&ready, 1, 0) == 1 && (ready.revents & POLLIN)) quiet_for = {};
  if (quiet_for < kIdleFlush) {
    ArmIdleTimer(std::chrono::duration_cast<Clock::duration>(kIdleFlush - quiet_for));
    return;
  }
  if (splitter_.HasPending()) {
    AppendBatch([&](auto&& emit) { splitter_.Flush(false, emit); });
  }
}

void OutputReader::Finish() {
  finished_ = true;
  idle_timer_.cancel();
  if (splitter_.HasPending()) {
    AppendBatch([&](auto&& emit) { splitter_.Flush(true, emit); });
  }
  boost::system::error_code ignored;
  stream_.close(ignored);
  if (on_eof_) std::exchange(on_eof_, nullptr)();
}

// Echo is a tee: blocking writes, so a slow terminal slows the command as it would without
// ssetail. When the echo target goes away (EPIPE), echo stops and capture goes on.
void OutputReader::Echo(const char* data, std::size_t size) {
  while (echo_fd_ >= 0 && size > 0) {
    const ssize_t n = ::write(echo_fd_, data, size);
    if (n > 0) {
      data += n;
      size -= static_cast<std::size_t>(n);
    } else if (n < 0 && errno == EAGAIN) {
      pollfd p{echo_fd_, POLLOUT, 0};
      ::poll(&p, 1, -1);  // an error shows in the next write
    } else if (!(n < 0 && errno == EINTR)) {
      echo_fd_ = -1;
    }
  }
}

}  // namespace ssetail
