#include "events/run_events.hpp"

#include <doctest/doctest.h>
#include <sys/wait.h>

#include <csignal>

using namespace ssetail;

TEST_CASE("exit status: code, signal and the shell convention") {
  // Build real wait statuses the way the kernel encodes them.
  const int exited3 = 3 << 8;
  const int killed15 = SIGTERM;
  CHECK(ExitStatus::FromWaitStatus(exited3).code == 3);
  CHECK(ExitStatus::FromWaitStatus(exited3).ShellCode() == 3);
  CHECK(ExitStatus::FromWaitStatus(killed15).signal == SIGTERM);
  CHECK_FALSE(ExitStatus::FromWaitStatus(killed15).code);
  CHECK(ExitStatus::FromWaitStatus(killed15).ShellCode() == 143);
  CHECK(ExitStatus::Exited(15).ShellCode() == 15);  // `exit 15` is not SIGTERM
}

TEST_CASE("exit and start event data") {
  CHECK(SignalName(SIGTERM) == "SIGTERM");
  CHECK(SignalName(SIGKILL) == "SIGKILL");
  CHECK(ExitEventData(ExitStatus::Exited(3), 42) ==
        "{\"code\":3,\"signal\":null,\"duration_ms\":42}");
  CHECK(ExitEventData(ExitStatus::Killed(SIGINT), 7) ==
        "{\"code\":null,\"signal\":\"SIGINT\",\"duration_ms\":7}");
  CHECK(StartEventData({std::vector<std::string>{"sh", "-c", "echo \"x\""}, 12,
                        "2026-01-02T03:04:05.006Z", "t"}) ==
        "{\"command\":[\"sh\",\"-c\",\"echo \\\"x\\\"\"],\"pid\":12,"
        "\"started\":\"2026-01-02T03:04:05.006Z\",\"title\":\"t\"}");
  CHECK(StartEventData({std::nullopt, std::nullopt, "x", "stdin"}) ==
        "{\"command\":null,\"pid\":null,\"started\":\"x\",\"title\":\"stdin\"}");
}

TEST_CASE("/status: the start event's fields, then the state, the exit and the counts") {
  const std::string start =
      StartEventData({std::vector<std::string>{"make"}, 7, "2026-01-02T03:04:05.006Z", "make"});
  RunProgress progress;
  progress.stdout_lines = 3;
  progress.stderr_lines = 1;
  progress.dropped = 2;
  progress.clients = 4;
  CHECK(StatusJson(start, progress) ==
        "{\"command\":[\"make\"],\"pid\":7,\"started\":\"2026-01-02T03:04:05.006Z\","
        "\"title\":\"make\",\"state\":\"running\",\"exit\":null,\"stdout_lines\":3,"
        "\"stderr_lines\":1,\"dropped\":2,\"clients\":4,\"record\":null,\"source_url\":null,"
        "\"source_roots\":[]}\n");
  progress.exit_data = ExitEventData(ExitStatus::Exited(2), 10);
  CHECK(
      StatusJson(start, progress)
          .find("\"state\":\"exited\",\"exit\":{\"code\":2,\"signal\":null,\"duration_ms\":10},") !=
      std::string::npos);
  // Before the command has started there is no start event: only the live fields.
  CHECK(StatusJson(std::nullopt, RunProgress{}) ==
        "{\"state\":\"running\",\"exit\":null,\"stdout_lines\":0,\"stderr_lines\":0,"
        "\"dropped\":0,\"clients\":0,\"record\":null,\"source_url\":null,"
        "\"source_roots\":[]}\n");
  // --source-url's template and --source-root's directories, for the page.
  progress.source_url = "https://h/r/{file}#L{line}";
  progress.source_roots = {"/home/me/proj", "/b\"x"};
  CHECK(StatusJson(start, progress)
            .find(",\"source_url\":\"https://h/r/{file}#L{line}\","
                  "\"source_roots\":[\"/home/me/proj\",\"/b\\\"x\"]}\n") != std::string::npos);
}

TEST_CASE("ISO-8601 UTC with milliseconds") {
  const auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));
  CHECK(FormatIsoUtc(t) == "2023-11-14T22:13:20.123Z");
}
