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
#include "redis/redis_url.hpp"

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

std::optional<Options> ParseOptions(int argc, char** argv) {
  Options options;
  CLI::App app{
      "Run COMMAND and stream its stdout and stderr, line by line, to browsers over "
      "Server-Sent Events.\n\n"
      "  ssetail [OPTIONS] -- COMMAND [ARG...]\n"
      "  COMMAND | ssetail [OPTIONS]\n",
      "ssetail"};
  std::string history_bytes = "64M";
  std::string token_file_path;
  std::string linger;  // a string: CLI11 would read an int flag's "=0" as "off"
  // --help shows the options in these groups, in this order (after -h and -V).
  app.add_flag("-q,--quiet", options.quiet, "Do not echo the command's output")->group("Running");
  auto* linger_flag =
      app.add_flag("--linger{forever}", linger,
                   "Keep serving after the command ends: --linger until SIGINT/SIGTERM, "
                   "--linger=SECS for that long")
          ->group("Running");
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
  app.add_option("--title", options.title, "Page title (default: the command line)")
      ->group("Serving");
  app.add_option("--source-url", options.source_url,
                 "Link file:line in the page's Problems to TEMPLATE, an http(s) URL with {file} "
                 "and {line} (e.g. https://host/repo/blob/main/{file}#L{line})")
      ->group("Serving");
  app.add_option("--history", options.history_events, "Events kept for replay")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str()
      ->group("History and record");
  app.add_option("--history-bytes", history_bytes, "Byte cap of the replay history (64M, 1G, ...)")
      ->capture_default_str()
      ->group("History and record");
  std::string save_path, record_max, view_path;
  auto* save = app.add_option("--save", save_path,
                              "Keep the run's record in FILE (JSON lines) after ssetail exits")
                   ->group("History and record");
  auto* record_max_option =
      app.add_option("--record-max", record_max,
                     "Byte cap of the record; the oldest events go first (default 1G for the "
                     "temporary record, none with --save)")
          ->group("History and record");
  auto* no_record =
      app.add_flag("--no-record", options.no_record, "Keep no record: memory history only")
          ->group("History and record");
  no_record->excludes(save)->excludes(record_max_option);
  auto* view = app.add_option("--view", view_path,
                              "Serve a record written by --save (or FILE.gz) instead of running "
                              "a command; follows it while it grows")
                   ->group("History and record");
  std::string publish_url;
  auto* publish = app.add_option("--publish", publish_url,
                                 "Also publish the run to Redis Streams: "
                                 "redis://[:PASSWORD@]HOST[:PORT][/PREFIX]")
                      ->type_name("URL")
                      ->group("Redis");
  app.add_option("--publish-ttl", options.publish_ttl_seconds,
                 "Seconds a finished run's keys are kept in Redis")
      ->type_name("SECS")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 40))
      ->capture_default_str()
      ->group("Redis");
  std::string relay_url;
  auto* relay = app.add_option("--relay", relay_url,
                               "Run no command: serve every run published to this Redis "
                               "(a list at /, each run at /runs/RUN/)")
                    ->type_name("URL")
                    ->group("Redis");
  auto* token_file = app.add_option("--token-file", token_file_path,
                                    "Require the secret in this file (or env SSETAIL_TOKEN)")
                         ->group("Security");
  app.add_option("--cors", options.cors_origins, "Allow this origin (repeatable)")
      ->allow_extra_args(false)
      ->group("Security");
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
  app.add_option("command", options.command, "The command to run and its arguments");
  app.positionals_at_end();  // everything from COMMAND on belongs to the command
  app.footer(
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
      "      publish runs to Redis; serve them all from any number of relays");
  app.set_version_flag("-V,--version", "ssetail " SSETAIL_VERSION " (commit " SSETAIL_COMMIT ")");
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    app.exit(e);  // prints the help or the version
    return std::nullopt;
  } catch (const CLI::ParseError& e) {
    throw StartupError(std::string(e.what()) + " (see ssetail --help)");
  }
  const auto bytes = ParseByteSize(history_bytes);
  if (!bytes || *bytes == 0) {
    throw StartupError("--history-bytes: '" + history_bytes +
                       "' is not a size like 512K, 64M or 1G");
  }
  options.history_bytes = *bytes;
  if (!options.source_url.empty()) {
    const std::string& url = options.source_url;
    const bool web = url.rfind("https://", 0) == 0 || url.rfind("http://", 0) == 0;
    if (!web || url.find("{file}") == std::string::npos) {
      throw StartupError(
          "--source-url: give an http(s) URL with {file} (and {line}) in it, like "
          "https://host/repo/blob/main/{file}#L{line}");
    }
  }
  if (token_file->count() > 0) options.token_file = token_file_path;
  if (save->count() > 0) options.save_path = save_path;
  if (record_max_option->count() > 0) {
    const auto max = ParseByteSize(record_max);
    if (!max || *max == 0) {
      throw StartupError("--record-max: '" + record_max + "' is not a size like 512K, 64M or 1G");
    }
    options.record_max_bytes = *max;
  }
  if (view->count() > 0) {
    if (!options.command.empty()) {
      throw StartupError("--view serves a record and runs no command: drop the command or --view");
    }
    if (options.pty) throw StartupError("--pty runs a command: it does not go with --view");
    options.view_path = view_path;
  }
  if (publish->count() > 0) {
    if (options.view_path) throw StartupError("--publish goes with a command, not with --view");
    std::string why;
    if (!ParseRedisUrl(publish_url, why)) {
      throw StartupError("--publish " + RedactedUrl(publish_url) + ": " + why +
                         " (expected redis://[:PASSWORD@]HOST[:PORT][/PREFIX])");
    }
    options.publish_url = publish_url;
  }
  if (relay->count() > 0) {
    if (!options.command.empty()) {
      throw StartupError("--relay serves runs from Redis and runs no command: drop the command");
    }
    if (options.view_path || options.publish_url || options.pty || options.save_path) {
      throw StartupError("--relay goes with neither --view, --publish, --pty nor --save");
    }
    std::string why;
    if (!ParseRedisUrl(relay_url, why)) {
      throw StartupError("--relay " + RedactedUrl(relay_url) + ": " + why +
                         " (expected redis://[:PASSWORD@]HOST[:PORT][/PREFIX])");
    }
    options.relay_url = relay_url;
  }
  if (linger_flag->count() > 0) {
    int seconds = -1;
    if (linger != "forever") {
      const auto [end, error] =
          std::from_chars(linger.data(), linger.data() + linger.size(), seconds);
      if (error != std::errc{} || end != linger.data() + linger.size() || seconds < 0) {
        throw StartupError("--linger=" + linger + ": give a number of seconds (0 or more)");
      }
    }
    options.linger_seconds = seconds;
  }
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
