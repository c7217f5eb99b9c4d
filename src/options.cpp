#include "options.hpp"

#include <CLI/CLI.hpp>
#include <cctype>
#include <charconv>
#include <cstdio>

#ifndef SSETAIL_VERSION
#define SSETAIL_VERSION "0.0.0"
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
  return value << shift;
}

std::variant<Options, EarlyExit> ParseOptions(int argc, char** argv) {
  Options options;
  CLI::App app{
      "Run COMMAND and stream its stdout and stderr, line by line, to browsers over "
      "Server-Sent Events.\n\n"
      "  ssetail [OPTIONS] -- COMMAND [ARG...]\n"
      "  COMMAND | ssetail [OPTIONS]\n\n"
      "Example: ssetail -- make -j8   (then open the printed http://127.0.0.1:8642/)\n",
      "ssetail"};
  std::string history_bytes = "64M";
  std::string token_file_path;
  std::string linger;  // a string: CLI11 would read an int flag's "=0" as "off"
  app.add_option("-p,--port", options.port, "TCP port; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("-b,--bind", options.bind_address, "Listen address, IPv4 or IPv6")
      ->capture_default_str();
  app.add_option("--history", options.history_events, "Events kept for replay")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 40))
      ->capture_default_str();
  app.add_option("--history-bytes", history_bytes, "Byte cap of the replay history (64M, 1G, ...)")
      ->capture_default_str();
  auto* linger_flag =
      app.add_flag("--linger{forever}", linger,
                   "Keep serving after the command ends: --linger until SIGINT/SIGTERM, "
                   "--linger=SECS for that long");
  app.add_option("--max-clients", options.max_clients, "Concurrent SSE clients; more get 503")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}))
      ->capture_default_str();
  app.add_option("--heartbeat", options.heartbeat_seconds, "Seconds between pings on idle streams")
      ->check(CLI::Range(1, 3600))
      ->capture_default_str();
  app.add_flag("-q,--quiet", options.quiet, "Do not echo the command's output");
  app.add_flag("--pty", options.pty,
               "Run the command on two pseudo-terminals (stdout, stderr), for programs that "
               "buffer their output on a pipe");
  app.add_option("--cols", options.cols, "Terminal width with --pty")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--rows", options.rows, "Terminal height with --pty")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  auto* token_file = app.add_option("--token-file", token_file_path,
                                    "Require the secret in this file (or env SSETAIL_TOKEN)");
  app.add_option("--cors", options.cors_origins, "Allow this origin (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--title", options.title, "Page title (default: the command line)");
  app.add_option("command", options.command, "The command to run and its arguments");
  app.positionals_at_end();  // everything from COMMAND on belongs to the command
  app.set_version_flag("-V,--version", "ssetail " SSETAIL_VERSION);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return EarlyExit{app.exit(e)};
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "ssetail: %s (see ssetail --help)\n", e.what());
    return EarlyExit{125};
  }
  const auto bytes = ParseByteSize(history_bytes);
  if (!bytes || *bytes == 0) {
    std::fprintf(stderr, "ssetail: --history-bytes: '%s' is not a size like 512K, 64M or 1G\n",
                 history_bytes.c_str());
    return EarlyExit{125};
  }
  options.history_bytes = *bytes;
  if (token_file->count() > 0) options.token_file = token_file_path;
  if (linger_flag->count() > 0) {
    int seconds = -1;
    if (linger != "forever") {
      const auto [end, error] =
          std::from_chars(linger.data(), linger.data() + linger.size(), seconds);
      if (error != std::errc{} || end != linger.data() + linger.size() || seconds < 0) {
        std::fprintf(stderr, "ssetail: --linger=%s: give a number of seconds (0 or more)\n",
                     linger.c_str());
        return EarlyExit{125};
      }
    }
    options.linger_seconds = seconds;
  }
  return options;
}

}  // namespace ssetail
