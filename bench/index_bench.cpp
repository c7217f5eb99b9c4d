// bench/index_bench: how fast the run's index (src/index) takes a real-looking build log,
// single-threaded. The goal (SPEC §12): 1,000,000 lines at >= 5,000,000 lines/s.
//
//   build/bench/index_bench [LINES=1000000] [RUNS=5]
//
// The log is generated first, as make + gcc print it: compiler command lines on stdout,
// `[ NN%]` progress lines of CMake, `make[N]: Entering directory` lines, and on stderr one
// warning in 1,000 lines and one error in 10,000, each with gcc's `In function` line and
// its source excerpt and caret lines. Each run feeds every line to a new RunIndex as the
// indexer would (seq, stream, text, t, newline) and finishes it; the best run is reported,
// with `seq`-style short lines for comparison (the 10,000,000-line runs of scenario 1) and
// an application log whose every line holds a ':' (the prefilter's worst case).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "index/run_index.hpp"

namespace {

using ssetail::EventType;

struct Line {
  EventType stream;
  std::string text;
};

std::vector<Line> BuildLog(std::size_t count) {
  std::vector<Line> log;
  log.reserve(count + 8);
  std::size_t warnings = 0, errors = 0;
  for (std::size_t i = 0; log.size() < count; ++i) {
    const std::size_t module = (i / 40) % 97, file = i % 1009;
    const std::string path =
        "src/module_" + std::to_string(module) + "/file_" + std::to_string(file) + ".c";
    const std::size_t n = log.size();
    if (n / 10000 >= errors && n % 10000 >= 5000) {  // one in each 10,000, mid-block
      ++errors;
      log.push_back({EventType::Stderr, path + ": In function \xe2\x80\x98parse_" +
                                            std::to_string(file) + "\xe2\x80\x99:"});
      log.push_back({EventType::Stderr, path + ":" + std::to_string(40 + file % 300) +
                                            ":12: error: expected \xe2\x80\x98;\xe2\x80\x99 "
                                            "before \xe2\x80\x98return\xe2\x80\x99"});
      log.push_back({EventType::Stderr, "   45 |   n = n + 1"});
      log.push_back({EventType::Stderr, "      |            ^"});
      log.push_back({EventType::Stderr, "      |            ;"});
    } else if (n / 1000 >= warnings && n % 1000 >= 500) {
      ++warnings;
      log.push_back({EventType::Stderr, path + ": In function \xe2\x80\x98init_" +
                                            std::to_string(file) + "\xe2\x80\x99:"});
      log.push_back(
          {EventType::Stderr, path + ":" + std::to_string(10 + file % 500) +
                                  ":9: warning: unused variable \xe2\x80\x98tmp\xe2\x80\x99 "
                                  "[-Wunused-variable]"});
      log.push_back({EventType::Stderr, "  123 |     int tmp;"});
      log.push_back({EventType::Stderr, "      |         ^~~"});
    } else if (i % 100 == 0) {
      log.push_back({EventType::Stdout, "make[2]: Entering directory '/build/project/src/module_" +
                                            std::to_string(module) + "'"});
    } else if (i % 3 == 0) {
      char percent[16];
      std::snprintf(percent, sizeof percent, "[%3zu%%] ", n * 100 / count);
      log.push_back(
          {EventType::Stdout, percent + std::string("Building C object src/CMakeFiles/lib") +
                                  std::to_string(module) + ".dir/module_" + std::to_string(module) +
                                  "/file_" + std::to_string(file) + ".c.o"});
    } else {
      log.push_back({EventType::Stdout,
                     "gcc -O2 -g -Wall -Wextra -Isrc -Iinclude -I/build/project/generated "
                     "-DNDEBUG -D_FORTIFY_SOURCE=2 -fstack-protector-strong -c " +
                         path + " -o build/module_" + std::to_string(module) + "/file_" +
                         std::to_string(file) + ".o"});
    }
  }
  log.resize(count);
  return log;
}

// Application log lines: every one holds ':' (times, "key: value"), none is a problem, so
// each goes through the RE2::Set of the rows that need a ':'. The prefilter's worst case.
std::vector<Line> ColonLog(std::size_t count) {
  std::vector<Line> log;
  log.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    log.push_back({EventType::Stdout, "12:00:" + std::to_string(10 + i % 50) +
                                          ".123 INFO server: request " + std::to_string(i) +
                                          " served in 3 ms: GET /api/items?page=2 status=200"});
  }
  return log;
}

std::vector<Line> SeqLog(std::size_t count) {
  std::vector<Line> log;
  log.reserve(count);
  for (std::size_t i = 1; i <= count; ++i) log.push_back({EventType::Stdout, std::to_string(i)});
  return log;
}

// Feeds the log to a fresh index; returns the seconds it took and the index's counts.
double Run(const std::vector<Line>& log, ssetail::index::Counts& counts) {
  const auto start = std::chrono::steady_clock::now();
  ssetail::index::RunIndex index;
  std::uint64_t seq = 2;
  for (std::size_t i = 0; i < log.size(); ++i) {
    index.Add(seq++, log[i].stream, log[i].text, static_cast<std::uint32_t>(i / 1000),
              ssetail::SegmentEnd::Newline);
  }
  index.Finish(static_cast<std::uint32_t>(log.size() / 1000));
  counts = index.counts();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Report(const char* name, const std::vector<Line>& log, int runs) {
  std::size_t bytes = 0;
  for (const Line& line : log) bytes += line.text.size() + 1;
  double best = 1e9;
  ssetail::index::Counts counts;
  for (int r = 0; r < runs; ++r) best = std::min(best, Run(log, counts));
  std::printf(
      "%-10s %9zu lines %7.1f MB  best of %d: %7.1f ms  %6.2f M lines/s  %7.1f MB/s  "
      "(%llu errors, %llu warnings)\n",
      name, log.size(), static_cast<double>(bytes) / 1e6, runs, best * 1e3,
      static_cast<double>(log.size()) / best / 1e6, static_cast<double>(bytes) / best / 1e6,
      static_cast<unsigned long long>(counts.errors),
      static_cast<unsigned long long>(counts.warnings));
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t lines = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  if (lines == 0 || runs <= 0) {
    std::fprintf(stderr, "usage: index_bench [LINES] [RUNS]\n");
    return 2;
  }
  Report("build log", BuildLog(lines), runs);
  Report("seq", SeqLog(lines), runs);
  Report("colons", ColonLog(lines), runs);
  return 0;
}
