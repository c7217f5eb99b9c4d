#include "base/warn.hpp"

#include <cstdio>
#include <string>

namespace ssetail {

namespace {

std::mutex& OutputMutex() {
  static std::mutex mutex;
  return mutex;
}
bool held = false;     // under OutputMutex
std::string& Kept() {  // under OutputMutex
  static std::string kept;
  return kept;
}

void Print(std::string_view prefix, std::string_view text) {
  std::string line = "ssetail: ";
  line += prefix;
  line += text;
  line += '\n';
  std::lock_guard lock(OutputMutex());
  if (held) {
    Kept() += line;
    return;
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void Warn(std::string_view text) {
  Print("warning: ", text);
}

void Say(std::string_view text) {
  Print("", text);
}

void HoldWarnings() {
  std::lock_guard lock(OutputMutex());
  held = true;
}

void ReleaseWarnings() {
  std::lock_guard lock(OutputMutex());
  held = false;
  std::fwrite(Kept().data(), 1, Kept().size(), stderr);
  Kept().clear();
}

bool RepeatedWarning::Warn(std::string_view text) {
  std::string line;
  {
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (printed_ && now - last_ < every_) {
      ++unprinted_;
      return false;
    }
    line = text;
    if (unprinted_ > 0) {
      line += " (and " + std::to_string(unprinted_) + " more like it)";
    }
    printed_ = true;
    last_ = now;
    unprinted_ = 0;
  }
  ssetail::Warn(line);
  return true;
}

}  // namespace ssetail
