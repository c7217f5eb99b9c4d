#include "view/record_viewer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include "base/startup_error.hpp"
#include "record/record_line.hpp"

namespace ssetail {

namespace {
constexpr std::size_t kBatchBytes = 256 << 10;  // of the file per History batch
constexpr std::size_t kLongestLine = 16 << 20;  // a longer "line" is not a record's
constexpr unsigned kReadBytes = 128 << 10;
}  // namespace

RecordViewer::RecordViewer(std::string path) : path_(std::move(path)) {
  file_.reset(gzopen(path_.c_str(), "rb"));
  if (!file_) {
    throw StartupError("--view " + path_ + ": " +
                       (errno != 0 ? std::strerror(errno) : "cannot open it"));
  }
  gzbuffer(file_.get(), kReadBytes);
  std::size_t newline;
  while ((newline = pending_.find('\n')) == std::string::npos && Fill()) {
  }
  line_number_ = 1;
  if (pending_.empty()) Refuse("the file is empty: not a record");
  if (newline == std::string::npos) Refuse("the first line is incomplete: not a record");
  first_line_ = pending_.substr(0, newline);
  pending_.erase(0, newline + 1);
  std::string text, why;
  const auto line = record::ParseLine(first_line_, text, &why);
  if (!line) Refuse(why + ": not a record line");
  if (line->type != EventType::Start || line->seq != 1) {
    Refuse("the first line is not the \"start\" event RUN.1");
  }
  run_id_ = std::string(line->run_id);
  if (run_id_.find_first_of("\r\n") != std::string::npos) Refuse("bad run id");
  line_number_ = 0;  // the first line is appended by the first ReadAvailable
}

void RecordViewer::Refuse(const std::string& why) const {
  throw StartupError("--view " + path_ + ":" + std::to_string(line_number_) + ": " + why);
}

bool RecordViewer::Fill() {
  char buffer[kReadBytes];
  gzclearerr(file_.get());  // after an end of file: the file may have grown since (tail -f)
  const int n = gzread(file_.get(), buffer, sizeof buffer);
  if (n <= 0) return false;  // at the end for now; a gzip stream still being written too
  pending_.append(buffer, static_cast<std::size_t>(n));
  return true;
}

void RecordViewer::ReadAvailable(History& history) {
  std::string text;
  std::string why;
  while (!finished_) {
    std::size_t at = 0;
    std::optional<std::string> exit_data;
    {
      History::Writer writer(history);
      if (line_number_ == 0) {
        const auto start = record::ParseLine(first_line_, text);
        writer.Append(EventType::Start, start->data, 0);
        line_number_ = 1;
        last_seq_ = 1;
      }
      while (at < kBatchBytes) {
        const std::size_t newline = pending_.find('\n', at);
        if (newline == std::string::npos) break;  // a torn last line waits to be completed
        std::string_view bytes = std::string_view(pending_).substr(at, newline - at);
        // Where --record-max dropped lines, the file has a hole: NUL bytes before a line.
        bytes.remove_prefix(std::min(bytes.find_first_not_of('\0'), bytes.size()));
        at = newline + 1;
        ++line_number_;
        text.clear();
        const auto line = record::ParseLine(bytes, text, &why);
        if (!line) Refuse(why);
        if (line->run_id != run_id_) Refuse("an id of another run than line 1's");
        if (line->seq <= last_seq_) Refuse("ids do not increase");
        if (line->type == EventType::Start) Refuse("a second \"start\"");
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
    pending_.erase(0, at);
    if (exit_data) {
      history.AppendLast(EventType::Exit, *exit_data, 0);
      finished_ = true;
    }
    history.WaitForRecorder();
    if (pending_.find('\n') != std::string::npos) continue;
    if (pending_.size() > kLongestLine) Refuse("a line longer than 16 MiB: not a record");
    if (finished_ || !Fill()) return;
  }
}

}  // namespace ssetail
