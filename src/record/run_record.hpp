// The run record (SPEC §8): every event of the run appended to a file, in capture order, by
// a thread of its own, so capture never waits for the disk.
//
// Two line formats: --save writes NDJSON (record_line.hpp, the documented format); the
// temporary record writes the compact lines of compact_line.hpp, several times shorter and
// cheaper, since nothing but this ssetail reads it.
//
// Write-ahead: the History publishes an event to readers only after the recorder's write(2)
// of it returned. The recorder wakes when a batch is appended, encodes what is new as record
// lines (the event's JSON data is encoded here, once: JSON streams and the file share it),
// writes it with one write(2), then publishes it. When the disk is slower than the command
// for longer than the memory history lasts, the events that leave memory before they are
// written are lost to the record (and clients get a gap for them): capture goes on.
//
// Readers (RecordReader) find where an event sits through a sparse index of marks, one per
// stretch of the file. Past --record-max the oldest stretches are dropped by punching a
// hole in the file, so what is kept never moves; the `start` line at offset 0 stays.
// A write error stops the record for good: one warning line, `error` in /status, and
// appends publish at once from then on.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "base/unique_fd.hpp"
#include "base/wakeup.hpp"
#include "history/history.hpp"

namespace ssetail {

// How the recorder hands bytes to the kernel: write(2) on the record's descriptor, unless a
// test gives it a disk that stalls or fails (returns what write(2) would, errno included).
using RecordWrite = std::function<ssize_t(int fd, const char* bytes, std::size_t size)>;

struct RecordOptions {
  std::optional<std::string> save_path;  // --save; nothing: an unnamed temporary file
  std::string temp_dir = "/tmp";         // for the temporary record ($TMPDIR)
  std::optional<std::uint64_t> max_bytes;
  RecordWrite write = nullptr;  // null: write(2)
};

struct RecordStatus {
  std::uint64_t bytes = 0;    // what the file holds now (holes excluded)
  std::uint64_t events = 0;   // lines it holds now
  std::uint64_t dropped = 0;  // events of the run it does not hold
  std::optional<std::string> path;
  std::optional<std::string> error;
};

class RunRecord {
 public:
  // Creates the file (--save: created or truncated). Throws StartupError when it cannot.
  RunRecord(History& history, RecordOptions options);
  ~RunRecord();
  RunRecord(const RunRecord&) = delete;
  RunRecord& operator=(const RunRecord&) = delete;

  // From now on the history's appends go through the record before readers see them.
  void Start();
  // Blocks until event `seq` is written or the record has stopped.
  void WaitWritten(std::uint64_t seq);
  // Writes what was appended, then ends the thread; appends publish at once afterwards.
  void Stop();

  RecordStatus Status() const;
  // The JSON object /status shows as "record".
  std::string StatusJson() const;

  // True for NDJSON (--save): its lines hold each event's JSON `data`, which `?format=json`
  // streams then copy instead of encoding it again. False for the compact format.
  bool holds_json() const { return !compact_; }

  // Where a reader wanting event `cursor` starts reading.
  struct Position {
    std::uint64_t offset = 0;    // of a line at or before the wanted event
    std::uint64_t seq = 1;       // the event of the line at `offset`
    std::uint64_t missed = 0;    // wanted events the record no longer holds (--record-max)
    std::uint64_t end = 0;       // the file's written end: complete lines only
    std::uint64_t last_seq = 0;  // of the last written line
  };
  // Nothing when the record does not hold `cursor` or a later event yet (or never will).
  std::optional<Position> Find(std::uint64_t cursor) const;
  int fd() const { return file_.get(); }
  const std::string& run_id() const { return history_.run_id(); }

 private:
  struct Mark {
    std::uint64_t seq;     // the first event of a stretch of the file
    std::uint64_t offset;  // where its line starts
    std::uint64_t events;  // events written before it (the start line included)
  };
  struct Batch;
  void Run();
  bool EncodeBatch(Batch& batch);                         // false: nothing new
  bool EncodeLine(Batch& batch, const EventView& event);  // false: it goes in the next batch
  bool WriteBatch(Batch& batch);                          // false: the record stopped
  Result<void> WriteAll(const char* bytes, std::size_t size, std::size_t& written);
  void Fail(const std::string& reason);  // the record stops: a warning, `error` in /status
  Result<void> DropOldest();             // under the lock

  History& history_;
  const RecordOptions options_;
  const bool compact_;  // the temporary record's format (compact_line.hpp)
  UniqueFd file_;
  std::uint64_t mark_every_;  // bytes between marks
  Wakeup appended_;           // by the History (write-ahead) and by Stop

  mutable std::mutex mutex_;
  std::condition_variable changed_;  // what is written, for WaitWritten
  bool stopping_ = false;
  bool stopped_ = false;  // the thread writes no more
  std::deque<Mark> marks_;
  std::uint64_t start_end_ = 0;    // the start line's end: the first byte that may be dropped
  std::uint64_t written_end_ = 0;  // file offset after the last complete line
  std::uint64_t written_seq_ = 0;  // its event
  std::uint64_t written_events_ = 0;
  std::uint64_t punched_to_ = 0;  // the end of the hole at the front (--record-max)
  std::optional<std::string> error_;

  std::thread thread_;
};

}  // namespace ssetail
