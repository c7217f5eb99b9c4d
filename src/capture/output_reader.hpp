// Reads one output stream of the command (a pipe, a pty or ssetail's own stdin), echoes it,
// splits it into segments and appends them to the history (SPEC §2.1-§2.2).
//
// Runs on the capture io_context's single thread; both streams' readers share that thread,
// which is what gives the one global order of SPEC §2.1. Each read of up to kReadBytes is
// one batch: one echo write, one history lock, one wake-up of the clients.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "base/unique_fd.hpp"
#include "capture/line_splitter.hpp"
#include "events/event.hpp"
#include "history/history.hpp"

namespace ssetail {

class OutputReader {
 public:
  static constexpr std::size_t kReadBytes = 256 * 1024;
  static constexpr auto kIdleFlush = std::chrono::milliseconds(200);

  // Reads `fd`. `echo_fd` is -1 for no echo. `run_start` is time zero of `t`.
  OutputReader(boost::asio::io_context& io, UniqueFd fd, EventType type, History& history,
               std::chrono::steady_clock::time_point run_start, int echo_fd);

  // Starts reading; `on_eof` runs once, after the last segment has been appended.
  void Start(std::function<void()> on_eof);

  // Stops reading before EOF (grandchildren still hold the stream open): whatever is
  // pending is emitted as at EOF and `on_eof` runs.
  void Stop();

  bool finished() const { return finished_; }

 private:
  void ReadMore();
  void OnRead(const boost::system::error_code& error, std::size_t bytes);
  void OnIdle();
  void ArmIdleTimer(std::chrono::steady_clock::duration after);
  void Finish();
  void Echo(const char* data, std::size_t size);
  template <class Fn>
  void AppendBatch(Fn&& feed);

  boost::asio::posix::stream_descriptor stream_;
  boost::asio::steady_timer idle_timer_;
  EventType type_;
  History& history_;
  std::chrono::steady_clock::time_point run_start_;
  int echo_fd_;
  LineSplitter splitter_;
  std::unique_ptr<char[]> buffer_;
  std::chrono::steady_clock::time_point last_read_;
  bool idle_timer_armed_ = false;
  bool finished_ = false;
  std::function<void()> on_eof_;
};

}  // namespace ssetail
