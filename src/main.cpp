// ssetail: wiring only. Parse options, start serving the history, run the command into it,
// and exit with the command's status (SPEC §1).
#include <malloc.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>

#include "access_control.hpp"
#include "child_process.hpp"
#include "history.hpp"
#include "http_server.hpp"
#include "options.hpp"
#include "supervisor.hpp"

namespace {

// The RUN part of event ids: a client's Last-Event-ID from another run must not match.
std::string RandomRunId() {
  static constexpr char kAlphabet[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::random_device device;
  std::uniform_int_distribution<int> pick(0, 35);
  std::string id;
  for (int i = 0; i < 8; ++i) id.push_back(kAlphabet[pick(device)]);
  return id;
}

std::string CommandLine(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line.push_back(' ');
    const bool plain = !arg.empty() && arg.find_first_of(" \t\"'\\$`") == std::string::npos;
    line += plain ? arg : "'" + arg + "'";
  }
  return line;
}

// The secret from --token-file or SSETAIL_TOKEN, trailing whitespace (a newline) removed.
// Returns false after reporting why it cannot be used.
bool ReadToken(const ssetail::Options& options, std::optional<std::string>& token) {
  std::string text;
  std::string source;
  if (options.token_file) {
    source = "--token-file " + *options.token_file;
    std::FILE* file = std::fopen(options.token_file->c_str(), "rb");
    if (file == nullptr) {
      std::fprintf(stderr, "ssetail: %s: %s\n", source.c_str(), std::strerror(errno));
      return false;
    }
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
    const bool failed = std::ferror(file) != 0;
    std::fclose(file);
    if (failed) {
      std::fprintf(stderr, "ssetail: %s: cannot read it\n", source.c_str());
      return false;
    }
  } else if (const char* env = std::getenv("SSETAIL_TOKEN")) {
    source = "SSETAIL_TOKEN";
    text = env;
  } else {
    return true;  // no token
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (text.empty()) {
    std::fprintf(stderr, "ssetail: %s: the token is empty; put a secret in it\n", source.c_str());
    return false;
  }
  token = std::move(text);
  return true;
}

std::string UrlHost(const std::string& address) {
  return address.find(':') != std::string::npos ? "[" + address + "]" : address;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace ssetail;
  // An inherited SIGCHLD=SIG_IGN would make the kernel reap the child and lose its status.
  std::signal(SIGCHLD, SIG_DFL);
  // httplib frames every write in a fresh string of the slice's size, on one thread per
  // client: let freed memory stay for reuse instead of being trimmed and faulted back in for
  // the next write (bench scenario 5), in a few arenas rather than one per thread.
  ::mallopt(M_TRIM_THRESHOLD, 64 << 20);
  ::mallopt(M_ARENA_MAX, 4);

  auto parsed = ParseOptions(argc, argv);
  if (auto* early = std::get_if<EarlyExit>(&parsed)) return early->status;
  Options& options = std::get<Options>(parsed);

  SupervisorOptions run;
  run.echo = !options.quiet;
  run.linger_seconds = options.linger_seconds;
  run.pty = options.pty;
  run.cols = options.cols;
  run.rows = options.rows;
  if (options.command.empty()) {
    if (::isatty(STDIN_FILENO)) {
      std::fprintf(stderr,
                   "ssetail: no COMMAND given and stdin is a terminal; try: ssetail -- make\n");
      return 125;
    }
    run.title = options.title.empty() ? "stdin" : options.title;
  } else {
    auto resolved = ResolveCommand(options.command.front());
    if (auto* error = std::get_if<CommandError>(&resolved)) {
      std::fprintf(stderr, "ssetail: %s\n", error->message.c_str());
      return error->exit_code;
    }
    run.executable = std::get<std::string>(resolved);
    run.command = options.command;
    run.title = options.title.empty() ? CommandLine(options.command) : options.title;
  }

  ServerOptions serve{
      options.bind_address, options.port, options.max_clients, options.heartbeat_seconds, {}};
  if (!ReadToken(options, serve.access.token)) return 125;
  serve.access.loopback_only = IsLoopbackAddress(options.bind_address);
  serve.access.cors_origins = options.cors_origins;

  History history(RandomRunId(), {options.history_events, options.history_bytes});
  HttpServer server(history, serve);
  int port;
  try {
    port = server.Start();
  } catch (const ServerError& e) {
    std::fprintf(stderr, "ssetail: %s\n", e.what());
    return 125;
  }
  // The token appears here and nowhere else in ssetail's output.
  const std::string query = serve.access.token ? "?token=" + UrlEncode(*serve.access.token) : "";
  std::fprintf(stderr, "ssetail: serving http://%s:%d/%s\n", UrlHost(options.bind_address).c_str(),
               port, query.c_str());
  if (!serve.access.loopback_only && !serve.access.token) {
    std::fprintf(stderr,
                 "ssetail: warning: %s is not a loopback address and no token is set: anyone "
                 "who can reach this port can read the output (see --token-file)\n",
                 options.bind_address.c_str());
  }

  Supervisor supervisor(history, run, [&server] { return server.AllClientsFinished(); });
  const int status = supervisor.Run();
  if (!server.Stop()) {
    // A client stopped reading in the middle of a write: do not wait out its write timeout
    // (SPEC §1: ssetail never hangs on a stuck client). Nothing else is pending.
    std::fflush(nullptr);
    std::_Exit(status);
  }
  return status;
}
