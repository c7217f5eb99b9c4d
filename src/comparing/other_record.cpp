#include "comparing/other_record.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "base/startup_error.hpp"
#include "base/unique_fd.hpp"
#include "comparing/index_problems.hpp"
#include "index/run_index.hpp"
#include "record/record_line.hpp"
#include "redisformat/json_fields.hpp"
#include "redisformat/run_meta.hpp"
#include "view/file_reader.hpp"
#include "view/record_lines.hpp"

namespace ssetail {

namespace {

constexpr std::size_t kReadBytes = 128 << 10;

class Reading {
 public:
  Reading(std::string path, OtherRecord& out) : path_(std::move(path)), out_(out) {}

  void Run() {
    UniqueFd fd(::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd) Fail(std::strerror(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) Fail(std::strerror(errno));
    // A FIFO or a device could make start-up wait for ever: only a file that is all there.
    if (!S_ISREG(st.st_mode)) Fail("not a regular file (a record written by --save)");
    FileReader file(std::move(fd));
    std::string buffer(kReadBytes, '\0');
    for (;;) {
      while (const std::optional<std::string_view> line = lines_.Next()) {
        if (lines_.first_line_has_nul()) Refuse(1, "a NUL byte in the first line: not a record");
        Take(*line);
        if (exited_) return Done();
      }
      if (lines_.first_line_has_nul()) Refuse(1, "a NUL byte in the first line: not a record");
      if (lines_.overlong()) Refuse(lines_.line_number() + 1, "a line longer than 16 MiB");
      std::size_t got = 0;
      std::string why;
      const FileReader::Status status = file.Read(buffer.data(), buffer.size(), got, why);
      if (status == FileReader::Status::Error) Refuse(lines_.line_number() + 1, why);
      if (status == FileReader::Status::NothingNow) break;
      lines_.Feed(std::string_view(buffer.data(), got));
    }
    if (lines_.line_number() == 0)
      Refuse(1, "the file is empty or its line incomplete: not a record");
    Done();  // no exit: a run cut short, compared as far as it went
  }

 private:
  [[noreturn]] void Fail(const std::string& why) const {
    throw StartupError("--compare " + path_ + ": " + why);
  }
  [[noreturn]] void Refuse(std::uint64_t line, const std::string& why) const {
    throw StartupError("--compare " + path_ + ":" + std::to_string(line) + ": " + why);
  }

  void Take(std::string_view bytes) {
    const std::uint64_t number = lines_.line_number();
    text_.clear();
    const auto line = record::ParseLine(bytes, text_);
    if (!line) Refuse(number, line.error() + ": not a record line");
    if (number == 1) {
      if (line->type != EventType::Start || line->seq != 1) {
        Refuse(1, "the first line is not the \"start\" event RUN.1: not a record");
      }
      out_.run.run_id = std::string(line->run_id);
      const StartMeta meta = MetaOfStart(line->data);
      out_.run.title = meta.title;
      out_.run.started = meta.started;
      last_seq_ = 1;
      return;
    }
    if (line->run_id != out_.run.run_id) Refuse(number, "an id of another run than line 1's");
    if (line->seq <= last_seq_) Refuse(number, "ids do not increase");
    if (line->type == EventType::Start) Refuse(number, "a second \"start\"");
    last_seq_ = line->seq;
    if (line->type == EventType::Exit) {
      out_.run.exit_json = std::string(line->data);
      if (const auto raw = json::RawField(line->data, "duration_ms")) {
        std::int64_t ms = 0;
        const auto [end, error] = std::from_chars(raw->data(), raw->data() + raw->size(), ms);
        if (error == std::errc{} && end == raw->data() + raw->size()) out_.duration_ms = ms;
      }
      exited_ = true;
      return;
    }
    if (!IsOutput(line->type)) return;
    last_t_ms_ = line->t_ms;
    out_.comparison->Append(compare::Side::Other, line->seq, line->text, line->t_ms);
    index_.Add(line->seq, line->type, line->text, line->t_ms, line->end);
  }

  void Done() {
    out_.comparison->Finish(compare::Side::Other);
    index_.Finish(last_t_ms_);
    out_.problems = IndexProblems(index_, out_.run.run_id);
  }

  const std::string path_;
  OtherRecord& out_;
  RecordLines lines_;
  index::RunIndex index_;
  std::string text_;
  std::uint64_t last_seq_ = 0;
  std::uint32_t last_t_ms_ = 0;
  bool exited_ = false;
};

}  // namespace

OtherRecord ReadOtherRecord(const std::string& path, compare::Budget budget) {
  OtherRecord out;
  out.comparison = std::make_unique<compare::Comparison>(budget);
  Reading(path, out).Run();
  return out;
}

}  // namespace ssetail
