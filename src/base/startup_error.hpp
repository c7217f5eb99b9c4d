// The one way a layer says that ssetail cannot start, or cannot start the command: it throws
// a StartupError; main prints "ssetail: <what>" on one line and exits with its status
// (SPEC §1: 125 for ssetail's own failures, 126 and 127 for the command's).
#pragma once

#include <stdexcept>
#include <string>

namespace ssetail {

class StartupError : public std::runtime_error {
 public:
  static constexpr int kOwnFailure = 125;     // bad option, port in use, out of descriptors
  static constexpr int kNotExecutable = 126;  // the command exists but cannot be run
  static constexpr int kCommandNotFound = 127;

  StartupError(int status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  explicit StartupError(const std::string& message) : StartupError(kOwnFailure, message) {}

  int status() const { return status_; }

 private:
  int status_;
};

}  // namespace ssetail
