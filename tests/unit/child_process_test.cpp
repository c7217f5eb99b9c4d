#include "capture/child_process.hpp"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "base/startup_error.hpp"
#include "temp_dir.hpp"

using namespace ssetail;

namespace {

// A scratch directory (removed with everything in it at the end of the test) for scripts
// and directories with given modes.
struct TempDir : testing::TempDir {
  std::string File(const std::string& relative, mode_t mode) const {
    const std::string full = file(relative);
    const int fd = ::open(full.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    const char script[] = "#!/bin/sh\nexit 0\n";
    REQUIRE(::write(fd, script, sizeof script - 1) == static_cast<ssize_t>(sizeof script - 1));
    ::close(fd);
    REQUIRE(::chmod(full.c_str(), mode) == 0);  // exactly `mode`, whatever the umask
    return full;
  }
  std::string Dir(const std::string& relative) const {
    const std::string full = file(relative);
    REQUIRE(::mkdir(full.c_str(), 0755) == 0);
    return full;
  }
};

// Sets (or unsets, with nullopt) PATH for the lifetime of the guard, then restores it.
class PathGuard {
 public:
  explicit PathGuard(const std::optional<std::string>& value) {
    const char* old = std::getenv("PATH");
    if (old != nullptr) old_ = old;
    if (value) {
      ::setenv("PATH", value->c_str(), 1);
    } else {
      ::unsetenv("PATH");
    }
  }
  ~PathGuard() {
    if (old_) {
      ::setenv("PATH", old_->c_str(), 1);
    } else {
      ::unsetenv("PATH");
    }
  }
  PathGuard(const PathGuard&) = delete;
  PathGuard& operator=(const PathGuard&) = delete;

 private:
  std::optional<std::string> old_;
};

// Runs in `dir` for the lifetime of the guard, then goes back.
class CwdGuard {
 public:
  explicit CwdGuard(const std::string& dir) : old_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~CwdGuard() {
    std::error_code ignored;
    std::filesystem::current_path(old_, ignored);
  }
  CwdGuard(const CwdGuard&) = delete;
  CwdGuard& operator=(const CwdGuard&) = delete;

 private:
  std::filesystem::path old_;
};

// The status ResolveCommand throws with, or 0 when it returns.
int StatusOf(const std::string& name, std::string* message = nullptr) {
  try {
    ResolveCommand(name);
    return 0;
  } catch (const StartupError& e) {
    if (message != nullptr) *message = e.what();
    return e.status();
  }
}

}  // namespace

TEST_CASE("resolve: a name is found on PATH, in PATH order, and its path returned") {
  TempDir tmp;
  tmp.Dir("a");
  tmp.Dir("b");
  const std::string in_a = tmp.File("a/tool", 0755);
  const std::string in_b = tmp.File("b/tool", 0755);
  const std::string only_b = tmp.File("b/other", 0700);
  {
    PathGuard path("/nonexistent-dir:" + tmp.path() + "/a:" + tmp.path() + "/b");
    CHECK(ResolveCommand("tool") == in_a);
    CHECK(ResolveCommand("other") == only_b);
  }
  {
    PathGuard path(tmp.path() + "/b:" + tmp.path() + "/a");
    CHECK(ResolveCommand("tool") == in_b);
  }
}

TEST_CASE("resolve: a name on no PATH entry is 127, naming the command") {
  TempDir tmp;
  tmp.File("present", 0755);
  PathGuard path(tmp.path());
  std::string message;
  CHECK(StatusOf("absent", &message) == StartupError::kCommandNotFound);
  CHECK(message.find("absent") != std::string::npos);
  CHECK(message.find("not found") != std::string::npos);
}

TEST_CASE("resolve: an empty name is 127") {
  TempDir tmp;
  PathGuard path(tmp.path());
  {
    CwdGuard cwd(tmp.path());  // an empty name must not find the directory "./"
    CHECK(StatusOf("") == StartupError::kCommandNotFound);
  }
}

TEST_CASE("resolve: a name that exists on PATH only without the x bit is 126") {
  TempDir tmp;
  tmp.Dir("first");
  tmp.Dir("second");
  tmp.File("first/script", 0644);
  std::string message;
  {
    PathGuard path(tmp.path() + "/first:" + tmp.path() + "/second");
    CHECK(StatusOf("script", &message) == StartupError::kNotExecutable);
    CHECK(message.find("script") != std::string::npos);
    CHECK(message.find("Permission denied") != std::string::npos);
  }
  // An executable one later on PATH wins over the one without the x bit.
  const std::string runnable = tmp.File("second/script", 0755);
  {
    PathGuard path(tmp.path() + "/first:" + tmp.path() + "/second");
    CHECK(ResolveCommand("script") == runnable);
  }
}

TEST_CASE("resolve: a directory on PATH with the command's name is skipped, as a shell does") {
  TempDir tmp;
  tmp.Dir("bin");
  tmp.Dir("bin/thing");
  tmp.Dir("later");
  {
    PathGuard path(tmp.path() + "/bin");
    CHECK(StatusOf("thing") == StartupError::kCommandNotFound);
  }
  const std::string file = tmp.File("later/thing", 0755);
  {
    PathGuard path(tmp.path() + "/bin:" + tmp.path() + "/later");
    CHECK(ResolveCommand("thing") == file);
  }
}

TEST_CASE("resolve: a name holding '/' is taken as a path, PATH is not searched") {
  TempDir tmp;
  const std::string exe = tmp.File("exe", 0755);
  const std::string plain = tmp.File("plain", 0644);
  const std::string dir = tmp.Dir("dir");
  tmp.Dir("sub");
  tmp.File("sub/inner", 0755);
  PathGuard path(tmp.path());

  CHECK(ResolveCommand(exe) == exe);
  std::string message;
  CHECK(StatusOf(plain, &message) == StartupError::kNotExecutable);
  CHECK(message == plain + ": Permission denied");
  CHECK(StatusOf(dir, &message) == StartupError::kNotExecutable);
  CHECK(message == dir + ": Is a directory");
  CHECK(StatusOf(dir + "/", &message) == StartupError::kNotExecutable);
  CHECK(StatusOf(tmp.path() + "/missing", &message) == StartupError::kCommandNotFound);
  CHECK(message.find(tmp.path() + "/missing") != std::string::npos);
  // "sub/inner" exists under a PATH entry, but a name with '/' is relative to the cwd only.
  CHECK(StatusOf("sub/inner") == StartupError::kCommandNotFound);
  {
    CwdGuard cwd(tmp.path());
    CHECK(ResolveCommand("sub/inner") == "sub/inner");  // returned as given, not made absolute
    CHECK(ResolveCommand("./exe") == "./exe");
    CHECK(StatusOf("./plain") == StartupError::kNotExecutable);
    CHECK(StatusOf("./dir") == StartupError::kNotExecutable);
  }
}

TEST_CASE("resolve: an empty PATH entry means the current directory") {
  TempDir tmp;
  tmp.File("here", 0755);
  tmp.File("here-plain", 0644);
  CwdGuard cwd(tmp.path());
  for (const std::string& path_value :
       {std::string(":/nonexistent-dir"), std::string("/nonexistent-dir:"),
        std::string("/nonexistent-dir::/nonexistent-too"), std::string("")}) {
    CAPTURE(path_value);
    PathGuard path(path_value);
    const std::string found = ResolveCommand("here");
    CHECK(std::filesystem::equivalent(found, tmp.path() + "/here"));
    CHECK(found.find('/') != std::string::npos);  // a path, not a name to search again
    CHECK(StatusOf("here-plain") == StartupError::kNotExecutable);
    CHECK(StatusOf("elsewhere") == StartupError::kCommandNotFound);
  }
  // Without an empty entry, the current directory is not searched.
  PathGuard path("/nonexistent-dir");
  CHECK(StatusOf("here") == StartupError::kCommandNotFound);
}

TEST_CASE("resolve: without PATH a default search path is used") {
  PathGuard path(std::nullopt);
  const std::string sh = ResolveCommand("sh");
  CHECK(sh.size() > 3);
  CHECK(sh.substr(sh.size() - 3) == "/sh");
  CHECK(::access(sh.c_str(), X_OK) == 0);
  CHECK(StatusOf("ssetail-no-such-command-anywhere") == StartupError::kCommandNotFound);
}
