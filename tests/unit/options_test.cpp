#include "options.hpp"

#include "base/startup_error.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace ssetail;

namespace {
// Outside any CI service unless a test gives the variables: the tests' own environment
// (they may run under GitHub Actions) changes nothing.
std::optional<Options> Parse(std::vector<std::string> args, const Environment& env = {}) {
  args.insert(args.begin(), "ssetail");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return ParseOptions(static_cast<int>(argv.size()), argv.data(), env);
}
Options Ok(std::vector<std::string> args, const Environment& env = {}) {
  auto parsed = Parse(std::move(args), env);
  REQUIRE(parsed.has_value());
  return *parsed;
}
// The exit status ssetail ends with for these arguments: 0 after --help or --version, or
// the status of the StartupError they raise.
int Status(std::vector<std::string> args, const Environment& env = {}) {
  try {
    auto parsed = Parse(std::move(args), env);
    REQUIRE_FALSE(parsed.has_value());
    return 0;
  } catch (const StartupError& e) {
    return e.status();
  }
}
}  // namespace

TEST_CASE("options: the command is everything from the first word that is not an option") {
  CHECK(Ok({"--", "make", "-j4", "build"}).command ==
        std::vector<std::string>{"make", "-j4", "build"});
  CHECK(Ok({"make", "-j4"}).command == std::vector<std::string>{"make", "-j4"});
  const auto o = Ok({"-p", "9", "make", "-p", "7"});
  CHECK(o.port == 9);
  CHECK(o.command == std::vector<std::string>{"make", "-p", "7"});
  CHECK(Ok({}).command.empty());
}

TEST_CASE("options: defaults") {
  const auto o = Ok({"true"});
  CHECK(o.port == 8642);
  CHECK(o.bind_address == "127.0.0.1");
  CHECK(o.history_events == 100000);
  CHECK(o.history_bytes == 64u << 20);
  CHECK_FALSE(o.linger_seconds);
  CHECK(o.max_clients == 256);
  CHECK(o.heartbeat_seconds == 15);
  CHECK_FALSE(o.quiet);
}

TEST_CASE("options: --linger with and without seconds") {
  CHECK(Ok({"--linger", "true"}).linger_seconds == -1);
  CHECK(Ok({"--linger", "true"}).command == std::vector<std::string>{"true"});
  CHECK(Ok({"--linger=5", "true"}).linger_seconds == 5);
  CHECK(Ok({"--linger=0", "true"}).linger_seconds == 0);
  CHECK(Status({"--linger=soon", "true"}) == 125);
  CHECK(Status({"--linger=-3", "true"}) == 125);
}

TEST_CASE("options: bad input is status 125") {
  CHECK(Status({"--port", "99999", "true"}) == 125);
  CHECK(Status({"--bogus", "true"}) == 125);
  CHECK(Status({"--port"}) == 125);
  CHECK(Status({"--history-bytes", "lots", "true"}) == 125);
  CHECK(Status({"--max-clients", "0", "true"}) == 125);
}

TEST_CASE("options: --help and --version exit 0") {
  CHECK(Status({"--version"}) == 0);
  CHECK(Status({"-h"}) == 0);
}

TEST_CASE("options: byte sizes") {
  CHECK(ParseByteSize("64M") == 64u << 20);
  CHECK(ParseByteSize("512k") == 512u << 10);
  CHECK(ParseByteSize("1GiB") == std::size_t{1} << 30);
  CHECK(ParseByteSize("1000") == 1000u);
  CHECK(ParseByteSize("10MB") == 10u << 20);
  CHECK_FALSE(ParseByteSize("M"));
  CHECK_FALSE(ParseByteSize("12X"));
  CHECK_FALSE(ParseByteSize("-1"));
  CHECK(ParseByteSize("17179869183G") == std::size_t{17179869183} << 30);  // the largest G
  CHECK_FALSE(ParseByteSize("17179869184G"));  // 2^64: used to wrap to 0
  CHECK_FALSE(ParseByteSize("99999999999999G"));
}

TEST_CASE("options: pty, token file and repeated --cors") {
  const auto o = Ok({"--pty", "--cols", "80", "--rows", "24", "--token-file", "t", "--cors",
                     "https://a.example", "--cors", "https://b.example", "make"});
  CHECK(o.pty);
  CHECK(o.cols == 80);
  CHECK(o.rows == 24);
  CHECK(o.token_file == "t");
  CHECK(o.cors_origins == std::vector<std::string>{"https://a.example", "https://b.example"});
  CHECK(o.command == std::vector<std::string>{"make"});
  const auto d = Ok({"true"});
  CHECK_FALSE(d.pty);
  CHECK(d.cols == 120);
  CHECK(d.rows == 40);
  CHECK_FALSE(d.token_file);
  CHECK(Status({"--cols", "0", "true"}) == 125);
}

TEST_CASE("options: --publish and --relay (SPEC §10)") {
  const Options publish =
      Ok({"--publish", "redis://ci:6380/builds", "--publish-ttl", "60", "make"});
  CHECK(publish.publish_url == "redis://ci:6380/builds");
  CHECK(publish.publish_ttl_seconds == 60);
  CHECK(Ok({"make"}).publish_ttl_seconds == 7 * 24 * 3600);
  const Options relay = Ok({"--relay", "redis://ci/builds", "--port", "0", "--max-clients", "9"});
  CHECK(relay.relay_url == "redis://ci/builds");
  CHECK(relay.command.empty());
  CHECK(Status({"--publish", "http://ci", "make"}) == 125);
  CHECK(Status({"--publish", "redis://ci", "--publish-ttl", "0", "make"}) == 125);
  CHECK(Status({"--relay", "redis://ci", "make"}) == 125);  // runs no command
  CHECK(Status({"--relay", "redis://ci", "--pty"}) == 125);
  CHECK(Status({"--relay", "redis://ci", "--publish", "redis://ci"}) == 125);
  CHECK(Status({"--relay", "redis://ci", "--save", "x.jsonl"}) == 125);
  CHECK(Status({"--relay", "redis://ci:0"}) == 125);
  CHECK(Status({"--view", "x.jsonl", "--publish", "redis://ci"}) == 125);
  // --relay-idle: how long an ended run stays open on a relay (issue 24), with --relay only.
  CHECK(relay.relay_idle_seconds == 60);
  CHECK(Ok({"--relay", "redis://ci", "--relay-idle", "1"}).relay_idle_seconds == 1);
  CHECK(Ok({"--relay", "redis://ci", "--relay-idle", "0"}).relay_idle_seconds == 0);
  CHECK(Status({"--relay", "redis://ci", "--relay-idle", "-1"}) == 125);
  CHECK(Status({"--relay-idle", "5", "make"}) == 125);
  // An ACL user's URL.
  CHECK(Ok({"--publish", "redis://ci-user:pw@ci/builds", "make"}).publish_url ==
        "redis://ci-user:pw@ci/builds");
}

TEST_CASE("options: --source-url is an http(s) template with {file}") {
  CHECK(Ok({"--source-url", "https://h/r/blob/main/{file}#L{line}", "true"}).source_url ==
        "https://h/r/blob/main/{file}#L{line}");
  CHECK(Ok({"true"}).source_url.empty());
  CHECK(Status({"--source-url", "javascript:alert('{file}')", "true"}) == 125);
  CHECK(Status({"--source-url", "file:///src/{file}", "true"}) == 125);
  CHECK(Status({"--source-url", "https://h/r/blob/main/", "true"}) == 125);
}

TEST_CASE("options: --source-root is an absolute directory, repeatable (SPEC §13)") {
  const std::string url = "https://h/r/blob/main/{file}#L{line}";
  CHECK(Ok({"--source-url", url, "--source-root", "/home/me/proj/", "--source-root", "/b", "true"})
            .source_roots == std::vector<std::string>{"/home/me/proj", "/b"});
  CHECK(Ok({"--source-url", url, "true"}).source_roots.empty());
  for (const char* bad : {"proj", "./proj", "/", "//", "/a/../b", "/a/./b", "/a//b", ""}) {
    CAPTURE(bad);
    CHECK(Status({"--source-url", url, "--source-root", bad, "true"}) == 125);
  }
  // It strips a prefix from the paths a template links: alone it would do nothing.
  CHECK(Status({"--source-root", "/home/me/proj", "true"}) == 125);
}

TEST_CASE("options: the CI environment's source links and title, where the options give none") {
  const Environment github{{"GITHUB_ACTIONS", "true"},
                           {"GITHUB_SERVER_URL", "https://github.com"},
                           {"GITHUB_REPOSITORY", "o/r"},
                           {"GITHUB_SHA", "abc"},
                           {"GITHUB_WORKSPACE", "/home/runner/work/r/r"},
                           {"GITHUB_WORKFLOW", "CI"},
                           {"GITHUB_JOB", "build"}};
  const Options o = Ok({"make"}, github);
  CHECK(o.source_url == "https://github.com/o/r/blob/abc/{file}#L{line}");
  CHECK(o.source_roots == std::vector<std::string>{"/home/runner/work/r/r"});
  CHECK(o.title == "CI / build");
  CHECK(o.github_annotations);
  CHECK_FALSE(Ok({"make"}).github_annotations);
  // Each option given wins over its default, and only its own.
  const Options given = Ok({"--title", "mine", "--source-url", "https://m/{file}", "make"}, github);
  CHECK(given.title == "mine");
  CHECK(given.source_url == "https://m/{file}");
  CHECK(given.source_roots == std::vector<std::string>{"/home/runner/work/r/r"});
  CHECK(Ok({"--source-root", "/src", "make"}, github).source_roots ==
        std::vector<std::string>{"/src"});
  // A relay serves runs from elsewhere: its own environment links none of them.
  const Options relay = Ok({"--relay", "redis://ci"}, github);
  CHECK(relay.source_url.empty());
  CHECK(relay.source_roots.empty());
  // Outside CI: nothing (the title stays empty: the command line, in main).
  CHECK(Ok({"make"}).source_url.empty());
  CHECK(Ok({"make"}).title.empty());
  // A workspace with no template to link through is dropped, not an error.
  CHECK(Ok({"make"}, {{"GITLAB_CI", "true"}, {"CI_PROJECT_DIR", "/builds/o/r"}})
            .source_roots.empty());
}

TEST_CASE("options: --compare goes with a command or --view, not with --relay (SPEC §14)") {
  CHECK(Ok({"--compare", "a.jsonl", "make"}).compare_path == "a.jsonl");
  CHECK(Ok({"--compare", "a.jsonl.gz", "--view", "b.jsonl"}).compare_path == "a.jsonl.gz");
  CHECK(Ok({"--compare", "a.jsonl", "--view", "b.jsonl"}).view_path == "b.jsonl");
  CHECK_FALSE(Ok({"make"}).compare_path);
  CHECK(Status({"--compare", "a.jsonl", "--relay", "redis://ci"}) == 125);
}

TEST_CASE("options: --sections and --no-summary (SPEC §12)") {
  const index::SectionDialects github_gitlab{true, true, false};
  CHECK(Ok({"true"}).sections == github_gitlab);
  CHECK(Ok({"--sections", "auto", "true"}).sections == github_gitlab);
  CHECK(Ok({"--sections", "none", "true"}).sections == index::SectionDialects{false, false, false});
  CHECK(Ok({"--sections", "buildkite,github", "true"}).sections ==
        index::SectionDialects{true, false, true});
  CHECK(Status({"--sections", "github,jenkins", "true"}) == 125);
  CHECK(Status({"--sections", "", "true"}) == 125);
  // auto: Buildkite's markers only under Buildkite.
  const Environment buildkite{{"BUILDKITE", "true"}};
  CHECK(Ok({"true"}, buildkite).sections == index::SectionDialects{true, true, true});
  CHECK(Ok({"--sections", "github", "true"}, buildkite).sections ==
        index::SectionDialects{true, false, false});
  CHECK(Ok({"true"}, {{"BUILDKITE", "false"}}).sections == github_gitlab);
  CHECK_FALSE(Ok({"true"}).no_summary);
  CHECK(Ok({"--no-summary", "true"}).no_summary);
}
