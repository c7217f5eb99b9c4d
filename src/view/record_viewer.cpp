#include "view/record_viewer.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include "base/startup_error.hpp"
#include "base/unique_fd.hpp"
#include "record/record_line.hpp"

namespace ssetail {

namespace {
constexpr std::size_t kBatchBytes = 256 << 10;  // of the file per History batch
constexpr unsigned kReadBytes = 128 << 10;      // one piece: between two, `interrupted`
}  // namespace

RecordViewer::RecordViewer(std::string path) : path_(std::move(path)) {
  // Non-blocking: opening a FIFO would otherwise wait, deaf to signals, for a writer.
  UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) throw StartupError("--view " + path_ + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    throw StartupError("--view " + path_ + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw StartupError("--view " + path_ + ": a directory, not a record");
  fifo_ = S_ISFIFO(st.st_mode);
  file_ = std::make_unique<FileReader>(std::move(fd));
}

void RecordViewer::Refuse(std::uint64_t line, const std::string& why) const {
  throw StartupError("--view " + path_ + ":" + std::to_string(line) + ": " + why);
}

bool RecordViewer::Fill() {
  char buffer[kReadBytes];
  std::size_t got = 0;
  std::string why;
  switch (file_->Read(buffer, sizeof buffer, got, why)) {
    case FileReader::Status::Data:
      lines_.Feed(std::string_view(buffer, got));
      return true;
    case FileReader::Status::NothingNow:
      return false;
    case FileReader::Status::Error:
      break;
  }
  Refuse(lines_.line_number() + 1, why);
}

bool RecordViewer::ReadFirstLine(const Interrupted& interrupted) {
  for (;;) {
    const std::optional<std::string_view> line = lines_.Next();
    if (lines_.first_line_has_nul()) Refuse(1, "a NUL byte in the first line: not a record");
    if (line) {
      first_line_ = std::string(*line);
      break;
    }
    if (lines_.overlong()) Refuse(1, "a line longer than 16 MiB: not a record");
    if (interrupted()) return false;
    if (!Fill()) {
      if (fifo_) return false;  // its writer may not have come yet
      if (lines_.incomplete_size() == 0) Refuse(1, "the file is empty: not a record");
      Refuse(1, "the first line is incomplete: not a record");
    }
  }
  std::string text;
  const auto start = record::ParseLine(first_line_, text);
  if (!start) Refuse(1, start.error() + ": not a record line");
  if (start->type != EventType::Start || start->seq != 1) {
    Refuse(1, "the first line is not the \"start\" event RUN.1");
  }
  run_id_ = std::string(start->run_id);
  return true;
}

void RecordViewer::ReadAvailable(History& history, const Interrupted& interrupted) {
  std::string text;
  while (!finished_) {
    std::optional<std::string> exit_data;
    std::size_t batch = 0;
    bool drained = false;  // every complete line taken
    {
      History::Writer writer(history);
      if (last_seq_ == 0) {
        const auto start = record::ParseLine(first_line_, text);
        writer.Append(EventType::Start, start->data, 0);
        last_seq_ = 1;
      }
      while (batch < kBatchBytes) {
        const std::optional<std::string_view> bytes = lines_.Next();
        if (!bytes) {
          drained = true;  // a torn last line waits to be completed
          break;
        }
        batch += bytes->size() + 1;
        const std::uint64_t number = lines_.line_number();
        text.clear();
        const auto line = record::ParseLine(*bytes, text);
        if (!line) Refuse(number, line.error());
        if (line->run_id != run_id_) Refuse(number, "an id of another run than line 1's");
        if (line->seq <= last_seq_) Refuse(number, "ids do not increase");
        if (line->type == EventType::Start) Refuse(number, "a second \"start\"");
        writer.SkipTo(line->seq);  // ids a capped record dropped: a gap for clients
        last_seq_ = line->seq;
        if (line->type == EventType::Exit) {
          exit_data = std::string(line->data);
          break;
        }
        writer.Append(line->type, IsOutput(line->type) ? line->text : line->data, line->t_ms,
                      line->end);
      }
    }
    if (exit_data) {
      history.AppendLast(EventType::Exit, *exit_data, 0);
      finished_ = true;
    }
    history.WaitForRecorder();
    if (finished_ || interrupted()) return;
    if (!drained) continue;
    if (lines_.overlong()) {
      Refuse(lines_.line_number() + 1, "a line longer than 16 MiB: not a record");
    }
    if (!Fill()) return;
  }
}

}  // namespace ssetail
