#include "record/run_record.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

#include "base/startup_error.hpp"
#include "base/warn.hpp"
#include "events/json.hpp"
#include "events/sse_format.hpp"
#include "record/compact_line.hpp"
#include "record/record_line.hpp"

namespace ssetail {

namespace {

constexpr std::size_t kWriteBytes = 256 << 10;  // at most this much per write(2)
constexpr std::uint64_t kMarkEvery = 64 << 10;

UniqueFd OpenTemporary(const std::string& dir) {
  // Unnamed: nothing is left behind, even when ssetail is SIGKILLed.
  UniqueFd fd(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (fd) return fd;
  std::string path = dir + "/ssetail-record-XXXXXX";  // a file system without O_TMPFILE
  fd.reset(::mkostemp(path.data(), O_CLOEXEC));
  if (fd) ::unlink(path.c_str());
  return fd;
}

}  // namespace

RunRecord::RunRecord(History& history, RecordOptions options)
    : history_(history), options_(std::move(options)), compact_(!options_.save_path) {
  if (options_.save_path) {
    file_.reset(::open(options_.save_path->c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!file_) {
      throw StartupError("--save: cannot create " + *options_.save_path + ": " +
                         std::strerror(errno));
    }
  } else {
    file_ = OpenTemporary(options_.temp_dir);
    if (!file_) {
      throw StartupError("cannot create the run record in " + options_.temp_dir + ": " +
                         std::strerror(errno) + " (set TMPDIR, or use --no-record)");
    }
  }
  mark_every_ = kMarkEvery;
  if (options_.max_bytes) {
    // Dropping goes a stretch at a time: stretches small enough to keep close to the cap.
    mark_every_ = std::clamp<std::uint64_t>(*options_.max_bytes / 16, 4 << 10, kMarkEvery);
  }
}

RunRecord::~RunRecord() {
  Stop();
}

void RunRecord::Start() {
  history_.SetWriteAhead(&appended_);
  thread_ = std::thread([this] { Run(); });
}

void RunRecord::WaitWritten(std::uint64_t seq) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return written_seq_ >= seq || stopped_; });
}

void RunRecord::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  appended_.Signal();
  if (thread_.joinable()) thread_.join();
  history_.SetWriteAhead(nullptr);  // anything appended from now on is published at once
}

// What one write(2) carries: record lines encoded straight into `buffer` (no zero-filling,
// no copies: the record must keep pace with capture), and what the index learns from them.
struct RunRecord::Batch {
  explicit Batch(const std::string& run_id)
      : capacity(kWriteBytes + record::OutputLineBound(run_id, 64 << 10)),
        buffer(new char[capacity]) {}
  std::size_t capacity;
  std::unique_ptr<char[]> buffer;
  std::size_t used = 0;
  std::uint64_t base = 0;                                    // its file offset
  std::vector<std::pair<std::uint64_t, std::size_t>> lines;  // seq, end within the buffer
  std::vector<Mark> new_marks;
  std::uint64_t last_mark = 0;
  bool have_mark = false;
  // Across batches.
  std::uint64_t cursor = 1;        // the next event to encode
  std::uint64_t previous_seq = 0;  // of the last line encoded (compact: jumps are written)
  bool warned_lost = false;
};

// The thread: each time the History signals appends, writes all there is, a batch at a time,
// publishing each batch once written.
void RunRecord::Run() {
  Batch batch(history_.run_id());
  for (;;) {
    appended_.Reset();
    bool stopping;
    {
      std::lock_guard lock(mutex_);
      stopping = stopping_;
    }
    while (EncodeBatch(batch)) {
      if (!WriteBatch(batch)) return;
      history_.Publish(batch.cursor - 1);
      changed_.notify_all();
    }
    if (stopping) {
      std::lock_guard lock(mutex_);
      stopped_ = true;
      changed_.notify_all();
      return;
    }
    appended_.Wait();
  }
}

// Encodes what was appended from batch.cursor on, up to about kWriteBytes. Only this thread
// changes the index, so it reads it without the lock.
bool RunRecord::EncodeBatch(Batch& batch) {
  batch.used = 0;
  batch.lines.clear();
  batch.new_marks.clear();
  batch.base = written_end_;
  batch.have_mark = !marks_.empty();
  batch.last_mark = batch.have_mark ? marks_.back().offset : 0;
  while (batch.used < kWriteBytes) {
    const History::Slice slice = history_.ReadUnpublished(batch.cursor);
    if (slice.status != History::ReadStatus::Events) break;
    // (A jump in the ids is not a loss when viewing a capped record: ask the history.)
    if (slice.missed > 0 && !batch.warned_lost && history_.Stats().unrecorded_evicted > 0) {
      batch.warned_lost = true;
      Warn(
          "record: the disk stalled; events left memory before they were written and are not "
          "in the record");
    }
    batch.cursor = slice.first_seq;
    for (const EventView& event : slice) {
      if (!EncodeLine(batch, event)) return true;
    }
  }
  return !batch.lines.empty();
}

bool RunRecord::EncodeLine(Batch& batch, const EventView& event) {
  const std::string& run_id = history_.run_id();
  const std::size_t bound = compact_ ? record::compact::LineBound(event.data.size())
                            : IsOutput(event.type)
                                ? record::OutputLineBound(run_id, event.data.size())
                                : event.data.size() + 128 + run_id.size();
  if (batch.used + bound > batch.capacity) {
    if (batch.used > 0) return false;
    batch.capacity = bound;  // a single event larger than the buffer (--view of long lines)
    batch.buffer.reset(new char[batch.capacity]);
  }
  const std::uint64_t at = batch.base + batch.used;
  if (event.seq > 1 && (!batch.have_mark || at - batch.last_mark >= mark_every_)) {
    batch.new_marks.push_back({event.seq, at, written_events_ + batch.lines.size()});
    batch.last_mark = at;
    batch.have_mark = true;
  }
  char* const line = batch.buffer.get() + batch.used;
  char* end;
  if (compact_) {
    end = line;
    if (event.seq != batch.previous_seq + 1) end = record::compact::WriteJump(end, event.seq);
    end = record::compact::WriteEvent(end, event.type, event.end, event.t_ms, event.data);
  } else if (IsOutput(event.type)) {
    end = record::WriteOutputLine(line, run_id, event.seq, event.type, event.data, event.t_ms,
                                  event.end);
  } else {
    std::string text;
    record::AppendLine(text, run_id, event.seq, event.type, event.data);
    end = std::copy(text.begin(), text.end(), line);
  }
  batch.used = static_cast<std::size_t>(end - batch.buffer.get());
  batch.lines.emplace_back(event.seq, batch.used);
  batch.previous_seq = event.seq;
  batch.cursor = event.seq + 1;
  return true;
}

// One write(2) of the batch; the index learns of the lines written whole (a torn last one
// is ignored by readers); then the cap. False after a failure: the record has stopped.
bool RunRecord::WriteBatch(Batch& batch) {
  std::size_t written = 0;
  Result<void> result = WriteAll(batch.buffer.get(), batch.used, written);
  const auto whole = static_cast<std::size_t>(
      std::upper_bound(batch.lines.begin(), batch.lines.end(), written,
                       [](std::size_t n, const auto& line) { return n < line.second; }) -
      batch.lines.begin());
  {
    std::lock_guard lock(mutex_);
    if (whole > 0) {
      const std::uint64_t end = batch.base + batch.lines[whole - 1].second;
      for (const Mark& mark : batch.new_marks) {
        if (mark.offset < end) marks_.push_back(mark);
      }
      if (start_end_ == 0) start_end_ = batch.base + batch.lines.front().second;  // `start`
      written_end_ = end;
      written_seq_ = batch.lines[whole - 1].first;
      written_events_ += whole;
      if (result) result = DropOldest();
    }
  }
  if (!result) {
    Fail(result.error());
    return false;
  }
  return true;
}

Result<void> RunRecord::WriteAll(const char* bytes, std::size_t size, std::size_t& written) {
  while (written < size) {
    const ssize_t n = options_.write ? options_.write(file_.get(), bytes + written, size - written)
                                     : ::write(file_.get(), bytes + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error{std::string("cannot write: ") + std::strerror(n == 0 ? EIO : errno)};
    written += static_cast<std::size_t>(n);
  }
  return {};
}

// Under the lock. Drops whole stretches from the front until the cap holds, keeping the
// newest one, and gives their disk space back.
Result<void> RunRecord::DropOldest() {
  if (!options_.max_bytes || marks_.size() < 2) return {};
  const std::uint64_t before = marks_.front().offset;
  while (marks_.size() > 1 &&
         start_end_ + written_end_ - marks_.front().offset > *options_.max_bytes) {
    marks_.pop_front();
  }
  const std::uint64_t after = marks_.front().offset;
  if (after == before) return {};
  // A hole from the end of `start` (or of the last hole) to the first line kept.
  const std::uint64_t from = std::max(start_end_, punched_to_);
  if (::fallocate(file_.get(), FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(from),
                  static_cast<off_t>(after - from)) != 0) {
    return Error{std::string("cannot drop the oldest part (--record-max): ") +
                 std::strerror(errno)};
  }
  punched_to_ = after;
  return {};
}

void RunRecord::Fail(const std::string& reason) {
  {
    std::lock_guard lock(mutex_);
    error_ = reason;
    stopped_ = true;
  }
  Warn("record " + (options_.save_path ? *options_.save_path : "(temporary)") + ": " + reason +
       "; it stops here, the run goes on");
  history_.SetWriteAhead(nullptr);
  changed_.notify_all();
}

RecordStatus RunRecord::Status() const {
  // Every event of the run so far is held or dropped; after a write error that includes
  // those published without the record. (The history's lock is never taken under ours.)
  const std::uint64_t published = history_.Stats().last_seq;
  std::lock_guard lock(mutex_);
  RecordStatus status;
  const std::uint64_t kept_from = marks_.empty() ? written_end_ : marks_.front().offset;
  status.bytes = written_end_ == 0 ? 0 : start_end_ + (written_end_ - kept_from);
  status.events = marks_.empty() ? written_events_ : 1 + written_events_ - marks_.front().events;
  status.dropped = std::max(written_seq_, published) - status.events;
  status.path = options_.save_path;
  status.error = error_;
  return status;
}

std::string RunRecord::StatusJson() const {
  const RecordStatus status = Status();
  std::string out = "{\"bytes\":" + std::to_string(status.bytes) +
                    ",\"events\":" + std::to_string(status.events) +
                    ",\"dropped\":" + std::to_string(status.dropped) + ",\"path\":";
  out += status.path ? json::Quote(*status.path) : "null";
  out += ",\"error\":";
  out += status.error ? json::Quote(*status.error) : "null";
  out += "}";
  return out;
}

std::optional<RunRecord::Position> RunRecord::Find(std::uint64_t cursor) const {
  std::lock_guard lock(mutex_);
  if (written_seq_ == 0 || cursor > written_seq_) return std::nullopt;
  Position position;
  position.end = written_end_;
  position.last_seq = written_seq_;
  if (cursor <= 1 || marks_.empty()) return position;  // from the start line
  if (cursor < marks_.front().seq) {
    position.missed = marks_.front().seq - cursor;
    cursor = marks_.front().seq;
  }
  // The last mark at or before `cursor`.
  const auto it =
      std::upper_bound(marks_.begin(), marks_.end(), cursor,
                       [](std::uint64_t seq, const Mark& mark) { return seq < mark.seq; });
  position.offset = std::prev(it)->offset;
  position.seq = std::prev(it)->seq;
  return position;
}

}  // namespace ssetail
