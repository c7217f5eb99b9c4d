#include "view/file_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ssetail {

namespace {
constexpr std::size_t kInputBytes = 128 << 10;
constexpr int kGzipOnly = 15 + 16;  // inflateInit2's window bits: a gzip wrapper
}  // namespace

FileReader::FileReader(UniqueFd fd) : fd_(std::move(fd)), in_(new unsigned char[kInputBytes]) {}

FileReader::~FileReader() {
  if (inflating_) inflateEnd(&zs_);
}

FileReader::Status FileReader::Read(char* buffer, std::size_t size, std::size_t& got,
                                    std::string& why) {
  got = 0;
  for (;;) {
    if (kind_ == Kind::Gzip) {
      const Status status = Inflate(buffer, size, got, why);
      if (status != Status::NothingNow) return status;
    } else if (kind_ == Kind::Plain && in_begin_ < in_end_) {
      got = std::min(size, in_end_ - in_begin_);
      std::memcpy(buffer, in_.get() + in_begin_, got);
      in_begin_ += got;
      return Status::Data;
    } else if (kind_ == Kind::Done) {
      return Status::NothingNow;
    }
    // More input: what is unread moves to the front first (at most a gzip header's bytes).
    if (in_begin_ > 0) {
      std::memmove(in_.get(), in_.get() + in_begin_, in_end_ - in_begin_);
      in_end_ -= in_begin_;
      in_begin_ = 0;
    }
    const ssize_t n = ::read(fd_.get(), in_.get() + in_end_, kInputBytes - in_end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return Status::NothingNow;
    if (n < 0) {
      why = std::string("cannot read it: ") + std::strerror(errno);
      return Status::Error;
    }
    if (n == 0) return Status::NothingNow;
    in_end_ += static_cast<std::size_t>(n);
    if (kind_ == Kind::Unknown) {
      if (in_end_ < 2 && in_[0] == 0x1f) continue;  // the magic's second byte decides
      kind_ = in_end_ >= 2 && in_[0] == 0x1f && in_[1] == 0x8b ? Kind::Gzip : Kind::Plain;
    }
  }
}

FileReader::Status FileReader::Inflate(char* buffer, std::size_t size, std::size_t& got,
                                       std::string& why) {
  if (!inflating_) {
    if (inflateInit2(&zs_, kGzipOnly) != Z_OK) {
      why = "out of memory";
      return Status::Error;
    }
    inflating_ = true;
  }
  zs_.next_in = in_.get() + in_begin_;
  zs_.avail_in = static_cast<uInt>(in_end_ - in_begin_);
  zs_.next_out = reinterpret_cast<unsigned char*>(buffer);
  zs_.avail_out = static_cast<uInt>(size);
  const int result = inflate(&zs_, Z_NO_FLUSH);
  in_begin_ = in_end_ - zs_.avail_in;
  got = size - zs_.avail_out;
  if (result == Z_STREAM_END) {
    // Another gzip member may follow (gzip's concatenation); anything else is trailing
    // garbage, ignored as gzip(1) does.
    const bool member =
        in_end_ - in_begin_ >= 2 && in_[in_begin_] == 0x1f && in_[in_begin_ + 1] == 0x8b;
    if (member) {
      inflateReset(&zs_);
    } else if (in_end_ > in_begin_) {
      kind_ = Kind::Done;
    } else {
      inflateReset(&zs_);  // a member may still be appended (a growing file)
    }
  } else if (result != Z_OK && result != Z_BUF_ERROR) {
    why = std::string("not a gzip stream zlib can read: ") +
          (zs_.msg != nullptr ? zs_.msg : "corrupt data");
    return Status::Error;
  }
  return got > 0 ? Status::Data : Status::NothingNow;
}

}  // namespace ssetail
