// `ssetail --view FILE` (SPEC §9): a record as the source of a run's events instead of a
// command. Its lines go into the History (and so through the run's own record) with their
// ids; a record without `exit` is followed as it grows, like `tail -f`.
//
// FILE may be gzip-compressed: zlib reads both kinds the same way.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <memory>
#include <string>

#include "history/history.hpp"

namespace ssetail {

class RecordViewer {
 public:
  // Opens FILE and reads its first line. Throws StartupError ("FILE:LINE: why") when it is
  // not a record.
  explicit RecordViewer(std::string path);
  RecordViewer(const RecordViewer&) = delete;
  RecordViewer& operator=(const RecordViewer&) = delete;

  const std::string& run_id() const { return run_id_; }

  // Appends every complete line there is now to `history`, a batch at a time, pacing itself
  // to the run record's (History::WaitForRecorder). Throws StartupError for a line that is
  // not part of a record.
  void ReadAvailable(History& history);

  // True once the `exit` line was read: nothing more will come.
  bool finished() const { return finished_; }

 private:
  bool Fill();  // reads more of the file; false at its current end
  [[noreturn]] void Refuse(const std::string& why) const;

  struct GzClose {
    void operator()(gzFile file) const { gzclose(file); }
  };

  const std::string path_;
  std::unique_ptr<gzFile_s, GzClose> file_;  // closed also when the constructor throws
  std::string pending_;                      // bytes read, not yet a complete line
  std::string first_line_;                   // the `start` line, read by the constructor
  std::string run_id_;
  std::uint64_t line_number_ = 0;
  std::uint64_t last_seq_ = 0;
  bool finished_ = false;
};

}  // namespace ssetail
