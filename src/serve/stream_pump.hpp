// Writes every /events stream from one thread: an epoll loop over non-blocking sockets. A
// relay's streams of all its runs share one pump: each stream reads its own run's History.
//
// httplib serves a streaming response from a thread of its own that polls before, and
// copies, every write; with hundreds of clients each new line woke hundreds of threads
// (bench scenarios 4–6: latency, fan-out memory). httplib has no asynchronous writes, so
// this is hand-rolled: the request is answered by httplib (access control, headers), then
// its connection is handed here (ConnectionServer::TakeConnection). Each stream is a
// cursor into its run's History; on each publish (the pump subscribes to a History while
// it has streams of it) it sends every waiting stream what is new,
// with one writev of the chunk header, the block's already encoded bytes and the CRLF.
// A stream the client does not drain waits for EPOLLOUT while the others go on; one that
// makes no progress for the stall timeout is dropped (it may reconnect and resume).
//
// With a run record, a stream whose cursor is older than the memory history reads the
// record (late joiners, resumes from far back), and `?format=json` streams always do: the
// record holds each event's JSON encoding, made once, which they copy.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "base/unique_fd.hpp"
#include "base/wakeup.hpp"
#include "history/history.hpp"
#include "record/run_record.hpp"
#include "serve/stream_slots.hpp"

namespace ssetail {

struct PumpOptions {
  std::chrono::seconds heartbeat{15};
  std::chrono::seconds stall_timeout{5};
};

// What a stream reads: a run's History and record (may be null), and what keeps them alive
// while the stream lives (a relay's use of the run; null for a run that outlives the pump).
struct PumpedRun {
  History* history = nullptr;
  const RunRecord* record = nullptr;
  std::shared_ptr<const void> keep;
};

class StreamPump {
 public:
  // Starts the thread. `slots` is released as streams end. Throws std::system_error when
  // the kernel refuses an epoll or eventfd descriptor.
  StreamPump(StreamSlots& slots, PumpOptions options);
  ~StreamPump();
  StreamPump(const StreamPump&) = delete;
  StreamPump& operator=(const StreamPump&) = delete;

  // Takes over `socket`, a connection whose response headers (chunked) have been sent, and
  // streams `run` to it from `cursor` on. It holds one of `slots`. Safe from any thread.
  void Add(UniqueFd socket, PumpedRun run, std::uint64_t cursor, bool json);

  // Ends every stream (a last chunk where the socket takes it) and the thread.
  void Stop();

  // Streams added and not yet ended: all of them, or those of one run. From any thread.
  std::size_t open_streams() const { return open_streams_.load(); }
  std::size_t OpenStreams(const History& history) const;

 private:
  struct Stream;
  void Run();
  void TakeAdded();   // the streams Add handed over, and the subscriptions they need
  void DropClosed();  // closed streams, and the subscriptions nobody needs any more
  void PumpAll();     // every stream waiting for events
  void EndAll();      // on Stop: a last chunk to each stream that takes it at once
  void Pump(Stream& stream);
  bool Flush(Stream& stream);  // false: the stream was closed
  void Queue(Stream& stream, History::Slice slice);
  bool QueueFromRecord(Stream& stream, const History::Slice& slice);
  void Close(Stream& stream);
  void Housekeeping(std::chrono::steady_clock::time_point now);
  void WatchWritable(Stream& stream, bool on);

  StreamSlots& slots_;
  const PumpOptions options_;
  UniqueFd epoll_fd_;
  Wakeup appended_;       // by the Histories it subscribed to
  Wakeup inbox_changed_;  // by Add and Stop
  std::atomic<std::size_t> open_streams_{0};

  mutable std::mutex inbox_mutex_;
  std::vector<std::unique_ptr<Stream>> inbox_;    // added, not yet seen by the thread
  std::map<const History*, std::size_t> opened_;  // open streams per History, under the mutex
  bool stopping_ = false;                         // under inbox_mutex_

  std::vector<std::unique_ptr<Stream>> streams_;  // only touched by the thread
  // Per History that has streams: its subscription (only while it has streams, else
  // capture would pay a wake-up per batch for nothing) and their number. The thread's own;
  // after streams_, so that it goes first (a stream may keep its History alive).
  struct Watched {
    History::Subscription subscription;
    std::size_t streams = 0;
  };
  std::map<const History*, Watched> watched_;
  std::vector<Stream*> unfinished_turns_;  // streams with more to send right away
  std::string record_bytes_;               // what streams read from the record goes through here
  std::thread thread_;
};

}  // namespace ssetail
