// gate FIFO TIMEFILE COMMAND [ARG...]
//
// The bench's start line. Waits for one byte on FIFO (the harness writes one newline per
// gate once every client is connected), then runs COMMAND with gate's own stdin/stdout/
// stderr, and appends COMMAND's wall time in nanoseconds as one line to TIMEFILE ("-": do
// not record). Exits with COMMAND's status (128+N when killed by signal N).
//
// Each gate reads exactly one byte, so N gates on one FIFO are released by N newlines, and a
// gate that opens the FIFO late still finds its byte: the harness keeps the FIFO open.
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

static long long NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: gate FIFO TIMEFILE COMMAND [ARG...]\n");
    return 125;
  }
  const int fifo = ::open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fifo < 0) {
    std::fprintf(stderr, "gate: %s: %s\n", argv[1], std::strerror(errno));
    return 125;
  }
  char byte;
  ssize_t n;
  do {
    n = ::read(fifo, &byte, 1);
  } while (n < 0 && errno == EINTR);
  ::close(fifo);
  if (n != 1) {
    std::fprintf(stderr, "gate: no start signal on %s\n", argv[1]);
    return 125;
  }

  const long long start = NowNs();
  const pid_t pid = ::fork();
  if (pid < 0) return 125;
  if (pid == 0) {
    ::execvp(argv[3], argv + 3);
    std::fprintf(stderr, "gate: %s: %s\n", argv[3], std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const long long elapsed = NowNs() - start;

  if (std::strcmp(argv[2], "-") != 0) {
    const int out = ::open(argv[2], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out >= 0) {
      char line[32];
      const int len = std::snprintf(line, sizeof line, "%lld\n", elapsed);
      if (::write(out, line, static_cast<size_t>(len)) != len) std::perror("gate: write");
      ::close(out);
    }
  }
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}
