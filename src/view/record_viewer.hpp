// `ssetail --view FILE` (SPEC §9): a record as the source of a run's events instead of a
// command. Its lines go into the History (and so through the run's own record) with their
// ids; a record without `exit` is followed as it grows, like `tail -f`.
//
// FILE may be gzip-compressed (FileReader inflates it with zlib). It is opened without
// blocking (a FIFO with no writer yet is waited for by the caller, interruptibly), and read
// a piece at a time: every reading function stops between two pieces once `interrupted`
// says so (an end signal), so neither a huge file, a hole of gigabytes nor a gzip bomb
// keeps ssetail from ending. Lines are bounded (RecordLines), so is what is held.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "history/history.hpp"
#include "view/file_reader.hpp"
#include "view/record_lines.hpp"

namespace ssetail {

class RecordViewer {
 public:
  using Interrupted = std::function<bool()>;

  // Opens FILE. Throws StartupError ("--view FILE: why") when it cannot, or when it is a
  // directory.
  explicit RecordViewer(std::string path);
  RecordViewer(const RecordViewer&) = delete;
  RecordViewer& operator=(const RecordViewer&) = delete;

  // Reads the first line and checks it is a record's `start`. False when it is not all
  // there yet and may still come (a FIFO: wait for the file and call again), or when
  // interrupted. Throws StartupError ("--view FILE:LINE: why") when it is not a record.
  bool ReadFirstLine(const Interrupted& interrupted);

  // The run's id, once ReadFirstLine returned true.
  const std::string& run_id() const { return run_id_; }

  // Appends every complete line there is now to `history`, a batch at a time, pacing itself
  // to the run record's (History::WaitForRecorder); returns at the file's current end, or
  // when interrupted. Throws StartupError for a line that is not part of a record, or a
  // file that cannot be read on (a corrupt gzip stream).
  void ReadAvailable(History& history, const Interrupted& interrupted);

  // True once the `exit` line was read: nothing more will come.
  bool finished() const { return finished_; }

 private:
  bool Fill();  // reads a piece more of the file into lines_; false at its current end
  [[noreturn]] void Refuse(std::uint64_t line, const std::string& why) const;

  const std::string path_;
  std::unique_ptr<FileReader> file_;
  bool fifo_ = false;  // reads that find nothing may find more later
  RecordLines lines_;
  std::string first_line_;  // the `start` line, appended by the first ReadAvailable
  std::string run_id_;
  std::uint64_t last_seq_ = 0;
  bool finished_ = false;
};

}  // namespace ssetail
