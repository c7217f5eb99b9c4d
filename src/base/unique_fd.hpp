// A file descriptor with one owner: closed when the owner is done with it, unless released.
// Every descriptor ssetail opens lives in one of these (or in an Asio object that owns it).
#pragma once

#include <unistd.h>

#include <utility>

namespace ssetail {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

  // Gives the descriptor to a new owner (an Asio object, a child's stdio).
  [[nodiscard]] int release() { return std::exchange(fd_, -1); }

  void reset(int fd = -1) {
    // close() frees the descriptor even when it reports an error (Linux), and a failed
    // close of a socket or pipe loses nothing we could still act on: not checked.
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

}  // namespace ssetail
