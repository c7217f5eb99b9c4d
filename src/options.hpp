// The command line of SPEC §1. All validation happens here, before anything starts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ci_environment.hpp"
#include "index/section.hpp"

namespace ssetail {

struct Options {
  int port = 8642;
  std::string bind_address = "127.0.0.1";
  std::size_t history_events = 100000;
  std::size_t history_bytes = 64 << 20;
  std::optional<int> linger_seconds;  // -1: until SIGINT/SIGTERM
  std::size_t max_clients = 256;
  int heartbeat_seconds = 15;
  bool quiet = false;
  bool no_summary = false;  // --no-summary: no problems summary (nor annotations) at the end
  bool github_annotations = false;  // under GitHub Actions: annotations after the summary
  // --sections, `auto` resolved (Buildkite's when BUILDKITE=true in our environment)
  index::SectionDialects sections;
  bool pty = false;
  int cols = 120;
  int rows = 40;
  std::optional<std::string> token_file;  // --token-file; SSETAIL_TOKEN is read in main
  std::vector<std::string> cors_origins;
  std::optional<std::string> save_path;           // --save
  std::optional<std::uint64_t> record_max_bytes;  // --record-max; nothing: the default
  bool no_record = false;
  std::optional<std::string> view_path;     // --view: serve a record instead of a command
  std::optional<std::string> compare_path;  // --compare: a record to compare the run with (§14)
  std::optional<std::string> publish_url;   // --publish: redis://… (checked here)
  std::int64_t publish_ttl_seconds = 7 * 24 * 3600;  // --publish-ttl
  std::optional<std::string> relay_url;              // --relay: serve the runs in Redis
  int relay_idle_seconds = 60;                       // --relay-idle: an ended run unwatched
  std::string title;       // empty: the command line (--title, or the CI's job: SPEC §13)
  std::string source_url;  // --source-url (or the CI's): links to file:line; empty: none
  std::vector<std::string> source_roots;  // --source-root (or the CI's workspace)
  std::vector<std::string> command;       // empty: stdin mode
};

// The options, or nothing after --help or --version has been printed (exit 0).
// Throws StartupError for a bad option. What the options leave out and `env` (the CI
// service's variables) tells is filled in from it: the title, the source links, whether
// Buildkite's section markers are on, whether GitHub's annotations follow the summary.
std::optional<Options> ParseOptions(int argc, char** argv, const Environment& env);
// The same with this process's CiEnvironment().
std::optional<Options> ParseOptions(int argc, char** argv);

// The secret from --token-file or SSETAIL_TOKEN, trailing whitespace (a newline) removed;
// nothing when neither is given. Throws StartupError when it cannot be used.
std::optional<std::string> ReadToken(const Options& options);

// "64M" -> 67108864. Suffixes K, M, G (powers of 1024), optional "iB"/"B". nullopt if bad.
std::optional<std::size_t> ParseByteSize(const std::string& text);

}  // namespace ssetail
