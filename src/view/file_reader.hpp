// A record file's bytes for `--view`, inflated when it is gzip (it starts with the RFC 1952
// magic bytes 1f 8b), read without ever blocking: each Read gives what is there now.
//
// zlib's gzread is not used: on a non-blocking descriptor (a FIFO, which must be opened so
// that a missing writer cannot block ssetail deaf to signals) it drops what it read when
// the next read(2) says EAGAIN. This drives inflate() itself instead, which is all gzread
// adds over it: several gzip members one after the other, and plain files copied as they are.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <memory>
#include <string>

#include "base/unique_fd.hpp"

namespace ssetail {

class FileReader {
 public:
  // `fd` is open for reading (non-blocking for a FIFO).
  explicit FileReader(UniqueFd fd);
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  enum class Status {
    Data,        // `got` bytes were put in the buffer
    NothingNow,  // the end for now: a file that may grow, a FIFO whose writer is quiet, a
                 // gzip stream not written to its end yet
    Error,       // `why` says what: a read error, or gzip data zlib refuses
  };
  Status Read(char* buffer, std::size_t size, std::size_t& got, std::string& why);

 private:
  enum class Kind { Unknown, Plain, Gzip, Done };
  Status Inflate(char* buffer, std::size_t size, std::size_t& got, std::string& why);

  UniqueFd fd_;
  Kind kind_ = Kind::Unknown;
  std::unique_ptr<unsigned char[]> in_;
  std::size_t in_begin_ = 0, in_end_ = 0;  // unread input: in_[in_begin_, in_end_)
  z_stream zs_{};
  bool inflating_ = false;  // zs_ initialised
};

}  // namespace ssetail
