#include "options.hpp"

#include <CLI/CLI.hpp>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

#include "base/startup_error.hpp"
#include "redisformat/redis_url.hpp"
#include "source_link_rules.hpp"

#ifndef SSETAIL_VERSION
#define SSETAIL_VERSION "0.0.0"
#endif
#ifndef SSETAIL_COMMIT
#define SSETAIL_COMMIT "unknown"
#endif

namespace ssetail {

std::optional<std::size_t> ParseByteSize(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 15) return std::nullopt;
  std::size_t value = std::stoull(text.substr(0, digits));
  std::string suffix = text.substr(digits);
  for (char& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (suffix.ends_with("IB"))
    suffix.resize(suffix.size() - 2);
  else if (suffix.size() > 1 && suffix.ends_with("B"))
    suffix.pop_back();
  int shift = 0;
  if (suffix == "K")
    shift = 10;
  else if (suffix == "M")
    shift = 20;
  else if (suffix == "G")
    shift = 30;
  else if (!suffix.empty() && suffix != "B")
    return std::nullopt;
  if (value > (std::numeric_limits<std::size_t>::max() >> shift)) return std::nullopt;  // wraps
  return value << shift;
}

namespace {

// What CLI11 reads as text or only counts, checked once parsing is done.
struct Given {
  std::string history_bytes = "64M";
  std::string linger;  // a string: CLI11 would read an int flag's "=0" as "off"
  std::string token_file, save, record_max, view, publish, relay, compare;
  std::string sections = "auto";
  std::vector<std::string> source_roots;
  CLI::Option* linger_flag = nullptr;
  CLI::Option* token_file_option = nullptr;
  CLI::Option* save_option = nullptr;
  CLI::Option* record_max_option = nullptr;
  CLI::Option* view_option = nullptr;
  CLI::Option* compare_option = nullptr;
  CLI::Option* publish_option = nullptr;
  CLI::Option* relay_option = nullptr;
  CLI::Option* relay_idle_option = nullptr;
  CLI::Option* title_option = nullptr;
  CLI::Option* source_url_option = nullptr;
  CLI::Option* source_root_option = nullptr;
};

// --help shows the options in these groups, in this order (after -h and -V).
void AddRunning(CLI::App& app, Options& options, Given& given) {
  app.add_flag("-q,--quiet", options.quiet, "Do not echo the command's output")->group("Running");
  given.linger_flag = app.add_flag("--linger{forever}", given.linger,
                                   "Keep serving after the command ends: --linger until "
                                   "SIGINT/SIGTERM, --linger=SECS for that long")
                          ->group("Running");
  app.add_flag("--no-summary", options.no_summary,
               "Print no summary of the run's errors and warnings at the end (nor GitHub "
               "annotations under GitHub Actions)")
      ->group("Running");
  app.add_option("--sections", given.sections,
                 "Section markers that fold the log: auto (GitHub and GitLab; Buildkite's under "
                 "Buildkite), none, or a list of github,gitlab,buildkite")
      ->type_name("LIST")
      ->capture_default_str()
      ->group("Running");
}

void AddServing(CLI::App& app, Options& options, Given& given) {
  app.add_option("-p,--port", options.port, "TCP port; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str()
      ->group("Serving");
  app.add_option("-b,--bind", options.bind_address, "Listen address, IPv4 or IPv6")
      ->capture_default_str()
      ->group("Serving");
  app.add_option("--max-clients", options.max_clients, "Concurrent SSE clients; more get 503")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->capture_default_str()
      ->group("Serving");
  app.add_option("--heartbeat", options.heartbeat_seconds, "Seconds between pings on idle streams")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str()
      ->group("Serving");
  given.title_option = app.add_option("--title", options.title,
                                      "Page title (default: the CI job's name under GitHub "
                                      "Actions, GitLab CI or Buildkite, else the command line)")
                           ->group("Serving");
  given.source_url_option =
      app.add_option("--source-url", options.source_url,
                     "Link file:line in the log and Problems to TEMPLATE, an http(s) URL with "
                     "{file} and {line} (e.g. https://host/repo/blob/main/{file}#L{line}; "
                     "default: the commit's under GitHub Actions or GitLab CI)")
          ->type_name("TEMPLATE")
          ->group("Serving");
  given.source_root_option =
      app.add_option("--source-root", given.source_roots,
                     "Strip this workspace directory from absolute paths so that they link "
                     "through --source-url too (repeatable; default: the CI's workspace)")
          ->type_name("DIR")
          ->allow_extra_args(false)
          ->group("Serving");
}

void AddHistoryAndRecord(CLI::App& app, Options& options, Given& given) {
  app.add_option("--history", options.history_events, "Events kept for replay")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str()
      ->group("History and record");
  app.add_option("--history-bytes", given.history_bytes,
                 "Byte cap of the replay history (64M, 1G, ...)")
      ->capture_default_str()
      ->group("History and record");
  given.save_option = app.add_option("--save", given.save,
                                     "Keep the run's record in FILE (JSON lines) after ssetail "
                                     "exits")
                          ->group("History and record");
  given.record_max_option =
      app.add_option("--record-max", given.record_max,
                     "Byte cap of the record; the oldest events go first (default 1G for the "
                     "temporary record, none with --save)")
          ->group("History and record");
  app.add_flag("--no-record", options.no_record, "Keep no record: memory history only")
      ->group("History and record")
      ->excludes(given.save_option)
      ->excludes(given.record_max_option);
  given.view_option = app.add_option("--view", given.view,
                                     "Serve a record written by --save (or FILE.gz) instead of "
                                     "running a command; follows it while it grows")
                          ->group("History and record");
  given.compare_option = app.add_option("--compare", given.compare,
                                        "Compare the run with a record written by --save (or "
                                        "FILE.gz): GET /compare, the page's Compare mode")
                             ->group("History and record");
}

void AddRedis(CLI::App& app, Options& options, Given& given) {
  given.publish_option = app.add_option("--publish", given.publish,
                                        "Also publish the run to Redis Streams: "
                                        "redis://[[USER]:PASSWORD@]HOST[:PORT][/PREFIX]")
                             ->type_name("URL")
                             ->group("Redis");
  app.add_option("--publish-ttl", options.publish_ttl_seconds,
                 "Seconds a finished run's keys are kept in Redis")
      ->type_name("SECS")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40))
      ->capture_default_str()
      ->group("Redis");
  given.relay_option = app.add_option("--relay", given.relay,
                                      "Run no command: serve every run published to this Redis "
                                      "(a list at /, each run at /runs/RUN/)")
                           ->type_name("URL")
                           ->group("Redis");
  given.relay_idle_option =
      app.add_option("--relay-idle", options.relay_idle_seconds,
                     "With --relay: seconds a run that has ended stays open after its last "
                     "viewer (then it is read from Redis again when asked for)")
          ->type_name("SECS")
          ->check(CLI::Range(0, 7 * 24 * 3600))
          ->capture_default_str()
          ->group("Redis");
}

void AddSecurity(CLI::App& app, Options& options, Given& given) {
  given.token_file_option = app.add_option("--token-file", given.token_file,
                                           "Require the secret in this file (or env SSETAIL_TOKEN)")
                                ->group("Security");
  app.add_option("--cors", options.cors_origins, "Allow this origin (repeatable)")
      ->allow_extra_args(false)
      ->group("Security");
}

void AddTerminal(CLI::App& app, Options& options) {
  app.add_flag("--pty", options.pty,
               "Run the command on two pseudo-terminals (stdout, stderr), for programs that "
               "buffer their output on a pipe")
      ->group("Terminal");
  app.add_option("--cols", options.cols, "Terminal width with --pty")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str()
      ->group("Terminal");
  app.add_option("--rows", options.rows, "Terminal height with --pty")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str()
      ->group("Terminal");
}

constexpr const char* kExamples =
    "Examples:\n"
    "  ssetail -- make -j8\n"
    "      watch a build: open the printed http://127.0.0.1:8642/\n"
    "  ssetail --bind 0.0.0.0 --token-file token -- ./ci.sh\n"
    "      share a CI run on the network; the printed URL carries the token\n"
    "  journalctl -f | ssetail --port 0\n"
    "      stream a pipe, on a free port\n"
    "  ssetail --save build.jsonl -- make; ssetail --view build.jsonl\n"
    "      keep a run's every line, and serve it again later\n"
    "  ssetail --publish redis://ci-redis/ -- make; ssetail --relay redis://ci-redis/\n"
    "      publish runs to Redis; serve them all from any number of relays";

std::size_t CheckedSize(const std::string& option, const std::string& text) {
  const auto bytes = ParseByteSize(text);
  if (!bytes || *bytes == 0) {
    throw StartupError(option + ": '" + text + "' is not a size like 512K, 64M or 1G");
  }
  return *bytes;
}

void CheckSourceUrl(const std::string& url) {
  if (url.empty()) return;
  if (!IsSourceUrlTemplate(url)) {
    throw StartupError(
        "--source-url: give an http(s) URL with {file} (and {line}) in it, like "
        "https://host/repo/blob/main/{file}#L{line}");
  }
}

std::vector<std::string> CheckedSourceRoots(const std::vector<std::string>& dirs) {
  std::vector<std::string> roots;
  for (const std::string& dir : dirs) {
    const std::optional<std::string> root = SourceRoot(dir);
    if (!root) {
      throw StartupError("--source-root '" + dir +
                         "': give an absolute directory without . or .. in it, like "
                         "/home/me/project");
    }
    roots.push_back(*root);
  }
  return roots;
}

// The source links and the title the options leave out, from the CI service's variables;
// not for a relay, whose runs come from elsewhere (its own environment says nothing of them).
void ApplyCiDefaults(Options& options, const Given& given, const CiDefaults& ci) {
  if (given.title_option->count() == 0) options.title = ci.title;
  if (given.relay_option->count() > 0) return;
  if (given.source_url_option->count() == 0) options.source_url = ci.source_url;
  if (given.source_root_option->count() == 0) options.source_roots = ci.source_roots;
}

std::string CheckedRedisUrl(const std::string& option, const std::string& url) {
  if (const Result<RedisUrl> parsed = ParseRedisUrl(url); !parsed) {
    throw StartupError(option + " " + RedactedUrl(url) + ": " + parsed.error() +
                       " (expected redis://[[USER]:PASSWORD@]HOST[:PORT][/PREFIX])");
  }
  return url;
}

// What runs: a command (or stdin), a record (--view) or a relay; the options that go with it.
void CheckMode(Options& options, const Given& given) {
  if (given.view_option->count() > 0) {
    if (!options.command.empty()) {
      throw StartupError("--view serves a record and runs no command: drop the command or --view");
    }
    if (options.pty) throw StartupError("--pty runs a command: it does not go with --view");
    options.view_path = given.view;
  }
  if (given.compare_option->count() > 0) options.compare_path = given.compare;
  if (given.publish_option->count() > 0) {
    if (options.view_path) throw StartupError("--publish goes with a command, not with --view");
    options.publish_url = CheckedRedisUrl("--publish", given.publish);
  }
  if (given.relay_option->count() > 0) {
    if (!options.command.empty()) {
      throw StartupError("--relay serves runs from Redis and runs no command: drop the command");
    }
    if (options.view_path || options.publish_url || options.pty || options.save_path) {
      throw StartupError("--relay goes with neither --view, --publish, --pty nor --save");
    }
    if (given.compare_option->count() > 0) {
      throw StartupError(
          "--compare goes with a command or --view; a relay compares with ?with=RUN instead");
    }
    options.relay_url = CheckedRedisUrl("--relay", given.relay);
  } else if (given.relay_idle_option->count() > 0) {
    throw StartupError("--relay-idle goes with --relay");
  }
}

std::optional<int> CheckedLinger(const Given& given) {
  if (given.linger_flag->count() == 0) return std::nullopt;
  if (given.linger == "forever") return -1;
  int seconds = -1;
  const std::string& text = given.linger;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), seconds);
  if (error != std::errc{} || end != text.data() + text.size() || seconds < 0) {
    throw StartupError("--linger=" + text + ": give a number of seconds (0 or more)");
  }
  return seconds;
}

// The checks CLI11 cannot make, the values it read as text, and the CI's defaults.
void Check(Options& options, const Given& given, const Environment& env) {
  options.history_bytes = CheckedSize("--history-bytes", given.history_bytes);
  CheckSourceUrl(options.source_url);
  options.source_roots = CheckedSourceRoots(given.source_roots);
  const CiDefaults ci = CiDefaultsFrom(env);
  if (given.token_file_option->count() > 0) options.token_file = given.token_file;
  if (given.save_option->count() > 0) options.save_path = given.save;
  if (given.record_max_option->count() > 0) {
    options.record_max_bytes = CheckedSize("--record-max", given.record_max);
  }
  std::string why;
  const std::optional<index::SectionDialects> sections =
      index::ParseSectionDialects(given.sections, ci.buildkite, &why);
  if (!sections) throw StartupError(why);
  options.sections = *sections;
  options.github_annotations = ci.github_actions;
  CheckMode(options, given);
  options.linger_seconds = CheckedLinger(given);
  ApplyCiDefaults(options, given, ci);
  if (options.source_url.empty()) {
    if (given.source_root_option->count() > 0) {
      throw StartupError(
          "--source-root strips a directory from the paths --source-url links: give "
          "--source-url too");
    }
    options.source_roots.clear();  // the CI's workspace, with no template to link through
  }
}

}  // namespace

std::optional<Options> ParseOptions(int argc, char** argv) {
  return ParseOptions(argc, argv, CiEnvironment());
}

std::optional<Options> ParseOptions(int argc, char** argv, const Environment& env) {
  Options options;
  Given given;
  CLI::App app{
      "Run COMMAND and stream its stdout and stderr, line by line, to browsers over "
      "Server-Sent Events.\n\n"
      "  ssetail [OPTIONS] -- COMMAND [ARG...]\n"
      "  COMMAND | ssetail [OPTIONS]\n",
      "ssetail"};
  AddRunning(app, options, given);
  AddServing(app, options, given);
  AddHistoryAndRecord(app, options, given);
  AddRedis(app, options, given);
  AddSecurity(app, options, given);
  AddTerminal(app, options);
  app.add_option("command", options.command, "The command to run and its arguments");
  app.positionals_at_end();  // everything from COMMAND on belongs to the command
  app.footer(kExamples);
  app.set_version_flag("-V,--version", "ssetail " SSETAIL_VERSION " (commit " SSETAIL_COMMIT ")");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    app.exit(e);  // prints the help or the version
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    throw StartupError(std::string(e.what()) + " (see ssetail --help)");
  }
  Check(options, given, env);
  return options;
}

std::optional<std::string> ReadToken(const Options& options) {
  std::string text;
  std::string source;
  if (options.token_file) {
    source = "--token-file " + *options.token_file;
    std::ifstream file(*options.token_file, std::ios::binary);
    if (!file) throw StartupError(source + ": " + std::strerror(errno));
    std::ostringstream content;
    content << file.rdbuf();
    if (file.bad()) throw StartupError(source + ": cannot read it");
    text = content.str();
  } else if (const char* env = std::getenv("SSETAIL_TOKEN")) {
    source = "SSETAIL_TOKEN";
    text = env;
  } else {
    return std::nullopt;
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.empty()) throw StartupError(source + ": the token is empty; put a secret in it");
  return text;
}

}  // namespace ssetail
