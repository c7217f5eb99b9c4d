#include "serve/stream_pump.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <string_view>
#include <system_error>

#include "events/sse_format.hpp"
#include "record/record_reader.hpp"

namespace ssetail {

using Clock = std::chrono::steady_clock;

namespace {

constexpr int kSlicesPerTurn = 4;  // then the next stream's turn: one fast client can't hog
constexpr auto kHousekeepingEvery = std::chrono::milliseconds(250);  // heartbeats, stalls
constexpr std::size_t kIdleBufferBytes = 16 << 10;
constexpr std::string_view kChunkEnd = "\r\n";
constexpr std::string_view kChunkEndAndLastChunk = "\r\n0\r\n\r\n";
constexpr std::string_view kLastChunk = "0\r\n\r\n";

void AppendChunkHeader(std::string& out, std::size_t size) {
  char text[24];
  const int length = std::snprintf(text, sizeof text, "%zx\r\n", size);
  out.append(text, static_cast<std::size_t>(length));
}

// Re-encodes a slice in the `?format=json` flavour: output events get their JSON object,
// the others (start, exit) already carry JSON and are copied as they are.
void AppendJsonSlice(const History::Slice& slice, const std::string& run_id, std::string& out) {
  for (const EventView& event : slice) {
    if (IsOutput(event.type)) {
      sse::AppendJsonOutputEvent(out, run_id, event.seq, event.type, event.data, event.t_ms,
                                 event.end);
    } else {
      out.append(event.encoded);
    }
  }
}

}  // namespace

struct StreamPump::Stream {
  UniqueFd socket;
  PumpedRun run;
  std::uint64_t cursor;
  bool json;
  bool closed = false;
  bool watching_writable = false;
  bool in_turns = false;
  bool final_queued = false;       // the pending bytes end with the run's final event
  bool last_chunk_queued = false;  // ... or with the end of the response: close once sent
  bool finished = false;           // the final event was sent
  Clock::time_point last_progress = Clock::now();
  // What is still to be sent, in this order: head (chunk header, gap), body (encoded events
  // of the history, kept alive by `slice`, or `text`), tail (static).
  std::string head;
  std::size_t head_sent = 0;
  History::Slice slice;
  std::string_view body;
  std::string_view tail;
  std::string text;  // gap and JSON-flavour events, built before their chunk header is known
  std::unique_ptr<RecordReader> reader;  // once the stream has read the record

  bool pending() const { return head_sent < head.size() || !body.empty() || !tail.empty(); }

  // Queues one chunk holding `text` (the preamble, a heartbeat); nothing may be pending.
  void QueueChunk(std::string_view text) {
    head.clear();
    head_sent = 0;
    AppendChunkHeader(head, text.size());
    head.append(text);
    tail = kChunkEnd;
  }

  // Queues the end of the response; the stream is closed once it is sent.
  void QueueLastChunk() {
    tail = kLastChunk;
    last_chunk_queued = true;
  }
};

StreamPump::StreamPump(StreamSlots& slots, PumpOptions options)
    : slots_(slots), options_(options), epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {
  // In the epoll set, each wake-up is known by its address; streams by their Stream*.
  for (Wakeup* wakeup : {&appended_, &inbox_changed_}) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = wakeup;
    if (!epoll_fd_ || ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, wakeup->fd(), &event) != 0) {
      throw std::system_error(errno, std::generic_category(), "cannot create the stream pump");
    }
  }
  thread_ = std::thread([this] { Run(); });
}

StreamPump::~StreamPump() {
  Stop();
}

void StreamPump::Add(UniqueFd socket, PumpedRun run, std::uint64_t cursor, bool json) {
  // Writes never wait: a client that is not reading makes its stream wait for EPOLLOUT. On a
  // socket that fcntl refuses, the first write fails and ends the stream.
  ::fcntl(socket.get(), F_SETFL, ::fcntl(socket.get(), F_GETFL) | O_NONBLOCK);
  auto stream = std::make_unique<Stream>();
  stream->socket = std::move(socket);
  stream->run = std::move(run);
  stream->cursor = cursor;
  stream->json = json;
  stream->QueueChunk(sse::kStreamPreamble);
  {
    std::lock_guard lock(inbox_mutex_);
    if (!stopping_) {
      open_streams_.fetch_add(1);
      ++opened_[stream->run.history];
      inbox_.push_back(std::move(stream));
      inbox_changed_.Signal();
      return;
    }
  }
  slots_.Release(false);  // stopping: the stream's socket closes with it
}

std::size_t StreamPump::OpenStreams(const History& history) const {
  std::lock_guard lock(inbox_mutex_);
  const auto it = opened_.find(&history);
  return it == opened_.end() ? 0 : it->second;
}

void StreamPump::Stop() {
  {
    std::lock_guard lock(inbox_mutex_);
    stopping_ = true;
  }
  inbox_changed_.Signal();
  if (thread_.joinable()) thread_.join();
}

void StreamPump::Run() {
  std::vector<epoll_event> events(256);
  auto next_housekeeping = Clock::now() + kHousekeepingEvery;
  for (;;) {
    // Without streams nothing is due: no heartbeat, no stall. Otherwise the sweep's time.
    int timeout_ms = -1;
    if (!unfinished_turns_.empty()) {
      timeout_ms = 0;
    } else if (!streams_.empty()) {
      const auto wait = next_housekeeping - Clock::now();
      timeout_ms = static_cast<int>(
          std::max<std::int64_t>(0, std::chrono::ceil<std::chrono::milliseconds>(wait).count()));
    }
    // -1 (EINTR) is a round with nothing ready.
    const int ready =
        ::epoll_wait(epoll_fd_.get(), events.data(), static_cast<int>(events.size()), timeout_ms);
    std::vector<Stream*> turns;
    turns.swap(unfinished_turns_);
    bool appended = false;
    bool inbox = false;
    for (int i = 0; i < ready; ++i) {
      void* const tag = events[i].data.ptr;
      if (tag == &appended_) {
        appended = true;
      } else if (tag == &inbox_changed_) {
        inbox = true;
      } else if (auto* stream = static_cast<Stream*>(tag); stream->closed) {
        continue;
      } else if (events[i].events & (EPOLLERR | EPOLLHUP)) {
        Close(*stream);
      } else if (events[i].events & EPOLLOUT) {
        Pump(*stream);
      }
    }

    bool stopping = false;
    if (inbox) {
      inbox_changed_.Reset();
      std::lock_guard lock(inbox_mutex_);
      stopping = stopping_;
    }
    if (inbox) TakeAdded();
    if (appended) PumpAll();
    for (Stream* stream : turns) {
      stream->in_turns = false;
      if (!stream->closed) Pump(*stream);
    }

    const auto now = Clock::now();
    if (now >= next_housekeeping) {
      Housekeeping(now);
      next_housekeeping = now + kHousekeepingEvery;
    }

    if (stopping) EndAll();

    DropClosed();
    if (stopping) return;
  }
}

// A last chunk where the socket takes it at once; nobody waits for the rest.
void StreamPump::EndAll() {
  for (auto& stream : streams_) {
    if (stream->closed) continue;
    if (!stream->pending()) stream->QueueLastChunk();
    if (Flush(*stream)) Close(*stream);
  }
}

// Closed streams go only now: pointers to them may have been in this round's lists. A
// History's subscription goes with its last stream, before that stream (which may keep
// the History alive) does.
void StreamPump::DropClosed() {
  std::erase_if(unfinished_turns_, [](const Stream* s) { return s->closed; });
  for (const auto& stream : streams_) {
    if (!stream->closed) continue;
    const auto it = watched_.find(stream->run.history);
    if (it != watched_.end() && --it->second.streams == 0) watched_.erase(it);
  }
  std::erase_if(streams_, [](const std::unique_ptr<Stream>& s) { return s->closed; });
}

void StreamPump::TakeAdded() {
  std::vector<std::unique_ptr<Stream>> added;
  {
    std::lock_guard lock(inbox_mutex_);
    added.swap(inbox_);
  }
  for (auto& stream : added) {
    Watched& watched = watched_[stream->run.history];
    // Subscribed before the new stream reads: whatever is published after its first read
    // wakes the thread.
    if (watched.streams++ == 0) watched.subscription = stream->run.history->Subscribe(appended_);
  }
  for (auto& stream : added) {
    epoll_event event{};
    event.events = 0;  // EPOLLERR and EPOLLHUP are always reported; EPOLLOUT when waiting
    event.data.ptr = stream.get();
    streams_.push_back(std::move(stream));
    Stream& added_stream = *streams_.back();
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, added_stream.socket.get(), &event) != 0) {
      Close(added_stream);  // out of memory for epoll: the client may reconnect
      continue;
    }
    Pump(added_stream);
  }
}

void StreamPump::PumpAll() {
  appended_.Reset();  // before reading: a publish from now on wakes the thread again
  for (auto& stream : streams_) {
    if (!stream->closed && !stream->pending()) Pump(*stream);
  }
}

// Sends what is pending, then what is new in the history, until the stream has to wait
// for its client or for new events, or its turn is over.
void StreamPump::Pump(Stream& stream) {
  for (int slice = 0; slice < kSlicesPerTurn; ++slice) {
    if (stream.pending() && (!Flush(stream) || stream.pending())) return;
    History::Slice next = stream.run.history->Read(stream.cursor);
    switch (next.status) {
      case History::ReadStatus::NothingNew:
        return;
      case History::ReadStatus::Ended:
        stream.QueueLastChunk();
        break;
      case History::ReadStatus::Events:
        // JSON streams copy the JSON an NDJSON record holds; other streams (and JSON ones
        // over a compact record) read it only for what memory no longer has.
        const RunRecord* record = stream.run.record;
        if (record == nullptr || !((stream.json && record->holds_json()) || next.missed > 0) ||
            !QueueFromRecord(stream, next)) {
          Queue(stream, std::move(next));
        }
        break;
    }
  }
  if (!stream.in_turns) {
    stream.in_turns = true;
    unfinished_turns_.push_back(&stream);
  }
}

void StreamPump::Queue(Stream& stream, History::Slice slice) {
  stream.head.clear();
  stream.head_sent = 0;
  stream.text.clear();
  if (slice.missed > 0) sse::AppendGap(stream.text, slice.missed);
  stream.tail = slice.reached_end ? kChunkEndAndLastChunk : kChunkEnd;
  stream.final_queued = slice.reached_end;
  stream.last_chunk_queued = slice.reached_end;
  stream.cursor = slice.next_seq;
  if (stream.json) {
    stream.text.reserve(stream.text.size() + slice.encoded().size() * 2);
    AppendJsonSlice(slice, stream.run.history->run_id(), stream.text);
    AppendChunkHeader(stream.head, stream.text.size());
    stream.body = stream.text;
  } else {
    AppendChunkHeader(stream.head, stream.text.size() + slice.encoded().size());
    stream.head.append(stream.text);
    stream.body = slice.encoded();
    stream.slice = std::move(slice);
  }
}

// The events of `slice` (JSON) or those memory no longer has (SSE), from the record.
// False when the record does not hold them: memory serves the stream as it can.
bool StreamPump::QueueFromRecord(Stream& stream, const History::Slice& slice) {
  const RunRecord& record = *stream.run.record;
  if (!stream.reader) stream.reader = std::make_unique<RecordReader>(record);
  const std::uint64_t last =
      stream.json && record.holds_json() ? slice.next_seq - 1 : slice.first_seq - 1;
  stream.text.clear();
  const RecordReader::Result read = stream.reader->Read(
      stream.cursor, last, stream.json ? RecordReader::Format::SseJson : RecordReader::Format::Sse,
      stream.text, record_bytes_);
  if (!read.appended) return false;
  const bool reached_end = slice.reached_end && read.next_seq == slice.next_seq;
  stream.head.clear();
  stream.head_sent = 0;
  AppendChunkHeader(stream.head, stream.text.size());
  stream.body = stream.text;
  stream.tail = reached_end ? kChunkEndAndLastChunk : kChunkEnd;
  stream.final_queued = reached_end;
  stream.last_chunk_queued = reached_end;
  stream.cursor = read.next_seq;
  return true;
}

bool StreamPump::Flush(Stream& stream) {
  while (stream.pending()) {
    iovec pieces[3];
    int count = 0;
    if (stream.head_sent < stream.head.size()) {
      pieces[count++] = {stream.head.data() + stream.head_sent,
                         stream.head.size() - stream.head_sent};
    }
    if (!stream.body.empty()) {
      pieces[count++] = {const_cast<char*>(stream.body.data()), stream.body.size()};
    }
    if (!stream.tail.empty()) {
      pieces[count++] = {const_cast<char*>(stream.tail.data()), stream.tail.size()};
    }
    msghdr message{};
    message.msg_iov = pieces;
    message.msg_iovlen = static_cast<std::size_t>(count);
    const ssize_t sent = ::sendmsg(stream.socket.get(), &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        WatchWritable(stream, true);
        return true;
      }
      Close(stream);  // the client went away
      return false;
    }
    stream.last_progress = Clock::now();
    auto left = static_cast<std::size_t>(sent);
    const std::size_t from_head = std::min(left, stream.head.size() - stream.head_sent);
    stream.head_sent += from_head;
    left -= from_head;
    const std::size_t from_body = std::min(left, stream.body.size());
    stream.body.remove_prefix(from_body);
    left -= from_body;
    stream.tail.remove_prefix(std::min(left, stream.tail.size()));
  }
  stream.slice = {};  // the history may recycle its block
  // What a stream holds while idle stays small, however much it last read of the record.
  if (stream.text.capacity() > kIdleBufferBytes) std::string().swap(stream.text);
  WatchWritable(stream, false);
  if (stream.final_queued && !stream.finished) {
    stream.finished = true;
    slots_.MarkFinished();
  }
  if (stream.last_chunk_queued) {
    Close(stream);
    return false;
  }
  return true;
}

void StreamPump::WatchWritable(Stream& stream, bool on) {
  if (stream.watching_writable == on) return;
  stream.watching_writable = on;
  epoll_event event{};
  event.events = on ? std::uint32_t{EPOLLOUT} : 0;
  event.data.ptr = &stream;
  // Fails only for a descriptor epoll no longer has: the stream is being closed.
  ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_MOD, stream.socket.get(), &event);
}

void StreamPump::Close(Stream& stream) {
  if (stream.closed) return;
  // Closing the descriptor removes it from epoll too; no need to ask first.
  stream.socket.reset();
  stream.closed = true;
  stream.slice = {};
  open_streams_.fetch_sub(1);
  {
    std::lock_guard lock(inbox_mutex_);
    const auto it = opened_.find(stream.run.history);
    if (it != opened_.end() && --it->second == 0) opened_.erase(it);
  }
  slots_.Release(stream.finished);
}

// Heartbeats for quiet streams (so proxies and browsers keep them open, and a client that
// went away is noticed), and the end of streams whose client stopped reading.
void StreamPump::Housekeeping(Clock::time_point now) {
  for (auto& stream : streams_) {
    if (stream->closed) continue;
    if (stream->pending()) {
      if (now - stream->last_progress > options_.stall_timeout) Close(*stream);
    } else if (now - stream->last_progress >= options_.heartbeat) {
      stream->QueueChunk(sse::kHeartbeat);
      Flush(*stream);
    }
  }
}

}  // namespace ssetail
