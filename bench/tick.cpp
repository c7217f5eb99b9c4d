// tick RATE SECONDS
//
// The latency scenario's command: prints RATE lines per second for SECONDS seconds, each
// "SEQ NS" where NS is CLOCK_MONOTONIC in nanoseconds read just before the line is written.
// One write(2) per line, paced on absolute deadlines so a late tick does not shift the rest.
// The client, on the same machine, subtracts NS from the time it read the line.
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: tick RATE SECONDS\n");
    return 2;
  }
  const long rate = std::strtol(argv[1], nullptr, 10);
  const double seconds = std::strtod(argv[2], nullptr);
  if (rate <= 0 || seconds <= 0) return 2;
  const long total = static_cast<long>(rate * seconds);
  const long long period = 1000000000LL / rate;

  timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (long seq = 1; seq <= total; ++seq) {
    next.tv_nsec += period;
    while (next.tv_nsec >= 1000000000L) {
      next.tv_nsec -= 1000000000L;
      ++next.tv_sec;
    }
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr) == EINTR) {
    }
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    char line[48];
    const int len = std::snprintf(line, sizeof line, "%ld %lld\n", seq,
                                  static_cast<long long>(now.tv_sec) * 1000000000LL + now.tv_nsec);
    if (write(STDOUT_FILENO, line, static_cast<size_t>(len)) != len) return 1;
  }
  return 0;
}
