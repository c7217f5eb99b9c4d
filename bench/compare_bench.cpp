// compare_bench: figures for comparing runs (SPEC §14, docs/compare.md), not a test.
//
//   build/bench/compare_bench                # the scenarios below, 1,000,000 lines a run
//   build/bench/compare_bench --lines 200000 # smaller runs
//   build/bench/compare_bench --libraries    # also the libraries alone on whole runs (slow:
//                                            # dtl takes minutes; each capped at 60 s)
//
// Each scenario runs in a child process of its own, so its peak RSS is its own: "input" is
// the RSS once the runs' text exists (what the History holds in ssetail), "peak" the most
// the scenario reached, and "compare" the difference, the comparison's own cost.
#include <git2.h>
#include <re2/re2.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dtl/dtl.hpp>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "compare/buffer_diff.hpp"
#include "compare/compare_ndjson.hpp"
#include "compare/comparison.hpp"
#include "compare/line_interner.hpp"
#include "compare/normalize.hpp"

using namespace ssetail::compare;
// A run's lines one after another in one buffer, as ssetail's History holds them (a vector
// of strings would scatter them over the heap and measure the allocator's layout instead).
class Lines {
 public:
  void push_back(std::string_view line) {
    text_ += line;
    ends_.push_back(text_.size());
  }
  std::size_t size() const { return ends_.size(); }
  std::string_view operator[](std::size_t k) const {
    const std::size_t begin = k == 0 ? 0 : ends_[k - 1];
    return std::string_view(text_).substr(begin, ends_[k] - begin);
  }
  std::size_t bytes() const { return text_.size(); }

 private:
  std::string text_;
  std::vector<std::size_t> ends_;
};

namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// This process's CPU time: on a machine shared with other work it varies less than the clock.
double Cpu() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

// A field of /proc/self/status in MiB (VmRSS: now; VmHWM: the peak since ResetPeak).
long StatusMiB(const char* field) {
  std::FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return -1;
  char line[256];
  long kib = -1;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    if (std::strncmp(line, field, std::strlen(field)) == 0)
      kib = std::atol(line + std::strlen(field) + 1);
  }
  std::fclose(f);
  return kib / 1024;
}

// From here on VmHWM is the peak of what follows (Linux: clear_refs 5).
long ResetPeakMiB() {
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
  return StatusMiB("VmRSS:");
}

long PeakRssMiB() {
  return StatusMiB("VmHWM:");
}

// A CI log of a C build and its tests, `n` lines. Every line carries what differs between
// two runs (`run` picks the timestamps, durations, temporary directory, pids); about one line
// in ten repeats (blank lines, "ok", separators), as in real logs.
Lines BuildLog(std::size_t n, unsigned run, bool hundred_changed = false) {
  std::vector<bool> changed(n, false);
  std::mt19937 change_rng(7);
  for (int k = 0; hundred_changed && k < 100; ++k) changed[change_rng() % n] = true;
  std::mt19937 rng(run);
  const std::string tmp = "/tmp/tmp." + std::to_string(100000 + rng() % 900000);
  Lines lines;
  char buffer[256];
  for (std::size_t k = 0; k < n; ++k) {
    const unsigned ms = static_cast<unsigned>(k / 97 % 60000);
    const int stamp =
        std::snprintf(buffer, sizeof buffer, "2026-12-0%uT0%u:%02u:%02u.%03uZ ", 5 + run % 2,
                      1 + run % 3, ms / 1000 % 60, ms % 60, static_cast<unsigned>(rng() % 1000));
    std::string line(buffer, stamp);
    switch (k % 10) {
      case 0:
        line += "cc -O2 -c " + tmp + "/src/mod_" + std::to_string(k) + ".c -o mod.o";
        break;
      case 1:
        line += "[" + std::to_string(k) + "/" + std::to_string(n) + "] Building C object m" +
                std::to_string(k) + ".o";
        break;
      case 2:
        line +=
            "--- PASS: TestCase" + std::to_string(k) + " (0." + std::to_string(rng() % 100) + "s)";
        break;
      case 3:
        line += "ok";
        break;
      case 4:
        line += "worker[" + std::to_string(1000 + rng() % 9000) + "]: job " + std::to_string(k) +
                " done in " + std::to_string(rng() % 900) + " ms";
        break;
      case 5:
        line += "tests/test_mod" + std::to_string(k) + ".py::test_x PASSED [ " +
                std::to_string(k * 100 / n) + "%]";
        break;
      case 6:
        line += "alloc at 0x7ffd" + std::to_string(100000 + rng() % 900000) + " for request " +
                std::to_string(k);
        break;
      case 7:
        line += "";
        break;
      case 8:
        line += "   Compiling crate" + std::to_string(k) + " v0.1.0 (" + tmp + "/crate)";
        break;
      default:
        line += "test result: ok. " + std::to_string(k) + " passed; finished in 1." +
                std::to_string(rng() % 100) + "s";
        break;
    }
    lines.push_back(changed[k] ? "util.c:" + std::to_string(k) + ":5: error: new problem" : line);
  }
  return lines;
}

Lines Seq(std::size_t from, std::size_t step, std::size_t count) {
  Lines lines;
  for (std::size_t k = 0; k < count; ++k) lines.push_back(std::to_string(from + k * step));
  return lines;
}

void Feed(Comparison& c, Side side, const Lines& lines) {
  for (std::size_t k = 0; k < lines.size(); ++k) {
    c.Append(side, k + 2, lines[k], static_cast<std::int64_t>(k));
  }
}

// Both runs appended, aligned and written out as GET /compare would, timed in parts.
void Compare(const char* name, const Lines& mine, const Lines& theirs) {
  const long input = ResetPeakMiB();
  Comparison c;
  double t = Now();
  double cpu = Cpu();
  Feed(c, Side::This, mine);
  Feed(c, Side::Other, theirs);
  c.Finish(Side::This);
  c.Finish(Side::Other);
  const double append_s = Now() - t;
  const double append_cpu = Cpu() - cpu;
  t = Now();
  cpu = Cpu();
  const bool complete = c.Advance();
  const double align_s = Now() - t;
  const double align_cpu = Cpu() - cpu;
  t = Now();
  cpu = Cpu();
  std::size_t bytes = 0;
  std::size_t hunks = 0;
  c.ForEachHunk([&](const HunkLines&) { return ++hunks > 0; });
  WriteCompareBody(c, "r1", {"q9", "t", "s", std::nullopt}, {}, {}, true, std::nullopt,
                   [&](std::string_view piece) {
                     bytes += piece.size();
                     return true;
                   });
  const double write_s = Now() - t;
  const double write_cpu = Cpu() - cpu;
  const long peak = PeakRssMiB();
  std::printf(
      "%-22s append+normalise %.3f s (cpu %.3f), align %.3f s (cpu %.3f), write %.3f s (cpu "
      "%.3f, %.1f MiB), total %.3f s (cpu %.3f); %zu hunks, complete %s; RSS input %ld MiB, "
      "peak %ld MiB, compare %ld MiB (own count %zu MiB)\n",
      name, append_s, append_cpu, align_s, align_cpu, write_s, write_cpu, bytes / 1048576.0,
      append_s + align_s + write_s, append_cpu + align_cpu + write_cpu, hunks,
      complete ? "true" : "false", input, peak, peak - input, c.MemoryBytes() >> 20);
}

void NormaliseThroughput(std::size_t n) {
  const Lines lines = BuildLog(n, 1);
  const std::size_t bytes = lines.bytes();
  std::string out;
  std::size_t kept = 0;
  double t = Now();
  for (std::size_t k = 0; k < lines.size(); ++k) {
    NormalizeInto(lines[k], out);
    kept += out.size();
  }
  const double ours = Now() - t;
  // The same placeholders by RE2, one GlobalReplace per pattern on each line (what a
  // table of regexes does).
  const std::vector<std::pair<RE2*, const char*>> patterns = {
      {new RE2(
           R"(\b\d{4}[-/]\d\d[-/]\d\d(?:[T ]\d\d?:\d\d(?::\d\d(?:[.,]\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?\b)"),
       "<time>"},
      {new RE2(R"(\b\d\d?:\d\d:\d\d(?:[.,]\d+)?\b)"), "<time>"},
      {new RE2(
           R"(\b(?:\d+(?:\.\d+)?[hm] ?)*\d+(?:\.\d+)? ?(?:ns|us|µs|ms|s|sec|secs|seconds?|min|mins|minutes?|hours?)\b)"),
       "<duration>"},
      {new RE2(R"(\b0[xX][0-9a-fA-F]{4,}\b)"), "<addr>"},
      {new RE2(R"((^|[^\w.~+@%/-])/(?:tmp|var/tmp|dev/shm)/[^/\s"'`:,;)\]}><(=]+)"), "\\1<tmp>"},
      {new RE2(
           R"(\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)"),
       "<uuid>"},
      {new RE2(R"(\[\d{3,7}\])"), "[<pid>]"},
      {new RE2(R"(\[ *\d+(?:/\d+|%)\])"), "[<progress>]"},
  };
  std::size_t kept_re2 = 0;
  t = Now();
  for (std::size_t k = 0; k < lines.size(); ++k) {
    std::string copy(lines[k]);
    for (const auto& [re, placeholder] : patterns) RE2::GlobalReplace(&copy, *re, placeholder);
    kept_re2 += copy.size();
  }
  const double re2 = Now() - t;
  for (const auto& [re, placeholder] : patterns) delete re;
  std::printf(
      "normalise              %zu lines, %.1f MiB: Normalize %.3f s (%.0f MiB/s, %.2f M lines/s); "
      "RE2, %zu patterns %.3f s (%.0f MiB/s), %.1fx slower; output %zu vs %zu bytes\n",
      n, bytes / 1048576.0, ours, bytes / 1048576.0 / ours, n / ours / 1e6, patterns.size(), re2,
      bytes / 1048576.0 / re2, re2 / ours, kept, kept_re2);
}

// This run appended while it runs, 10,000 lines at a time, Advance after each batch: the
// work a server does when it recomputes as lines come.
void Live(std::size_t n) {
  const Lines theirs = BuildLog(n, 1);
  const Lines mine = BuildLog(n, 2, true);
  Comparison c;
  Feed(c, Side::Other, theirs);
  c.Finish(Side::Other);
  double total = 0;
  double worst = 0;
  int calls = 0;
  std::uint64_t seq = 2;
  for (std::size_t k = 0; k < mine.size(); k += 10000) {
    for (std::size_t i = k; i < std::min(mine.size(), k + 10000); ++i, ++seq) {
      c.Append(Side::This, seq, mine[i], static_cast<std::int64_t>(seq));
    }
    const double t = Now();
    c.Advance();
    const double took = Now() - t;
    total += took;
    worst = std::max(worst, took);
    ++calls;
  }
  c.Finish(Side::This);
  const double t = Now();
  const bool complete = c.Advance();
  std::printf(
      "live                   %d Advance calls as this run grew by 10,000 lines: %.3f s in all, "
      "%.1f ms the longest; the last one %.3f s, complete %s\n",
      calls, total, worst * 1000, Now() - t, complete ? "true" : "false");
}

// --libraries: each library alone on two whole runs (no windows, no skipping), as ids.
struct IdPair {
  std::vector<std::uint32_t> a, b;
};
IdPair Ids(const Lines& mine, const Lines& theirs) {
  LineInterner interner;
  IdPair ids;
  std::string out;
  for (std::size_t k = 0; k < mine.size(); ++k) {
    NormalizeInto(mine[k], out);
    ids.a.push_back(interner.Intern(out, Side::This));
  }
  for (std::size_t k = 0; k < theirs.size(); ++k) {
    NormalizeInto(theirs[k], out);
    ids.b.push_back(interner.Intern(out, Side::Other));
  }
  return ids;
}

void Library(const char* pair, const char* which, const IdPair& ids) {
  alarm(60);  // dtl's worst case is quadratic
  const long input = ResetPeakMiB();
  const double t = Now();
  std::size_t edits = 0;
  if (std::strcmp(which, "dtl") == 0) {
    dtl::Diff<std::uint32_t, std::vector<std::uint32_t>> diff(ids.b, ids.a);
    diff.compose();
    edits = static_cast<std::size_t>(diff.getEditDistance());
  } else {
    std::vector<Hunk> hunks;
    BufferDiff buffer_diff;
    if (std::strcmp(which, "libgit2 myers") == 0) {
      // BufferDiff always asks for patience; Myers is measured through libgit2 directly.
      std::string a, b;
      for (const auto id : ids.a) a += std::to_string(id) + "\n";
      for (const auto id : ids.b) b += std::to_string(id) + "\n";
      git_libgit2_init();
      git_diff_options options;
      git_diff_options_init(&options, GIT_DIFF_OPTIONS_VERSION);
      options.context_lines = 0;
      options.flags = GIT_DIFF_FORCE_TEXT;
      git_diff_buffers(
          b.data(), b.size(), nullptr, a.data(), a.size(), nullptr, &options, nullptr, nullptr,
          [](const git_diff_delta*, const git_diff_hunk* h, void* p) {
            *static_cast<std::size_t*>(p) += h->old_lines + h->new_lines;
            return 0;
          },
          nullptr, &edits);
    } else {
      buffer_diff.Diff(ids.a, ids.b, hunks);
      for (const Hunk& h : hunks) edits += h.a_len + h.b_len;
    }
  }
  std::printf("library %-14s %-10s %.3f s, %zu lines inserted or deleted, RSS +%ld MiB\n", which,
              pair, Now() - t, edits, PeakRssMiB() - input);
}

void InChild(const std::function<void()>& scenario) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid == 0) {
    scenario();
    std::fflush(stdout);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::printf("  (the scenario ended by signal %d: over 60 s)\n",
                WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 1000000;
  bool libraries = false;
  for (int k = 1; k < argc; ++k) {
    if (std::strcmp(argv[k], "--lines") == 0 && k + 1 < argc) {
      n = std::strtoul(argv[++k], nullptr, 10);
    } else if (std::strcmp(argv[k], "--libraries") == 0) {
      libraries = true;
    } else {
      std::fprintf(stderr, "usage: compare_bench [--lines N] [--libraries]\n");
      return 2;
    }
  }
  InChild([&] { NormaliseThroughput(n); });
  InChild([&] {
    const Lines theirs = BuildLog(n, 1);
    const Lines mine = BuildLog(n, 2, true);
    Compare("hundred differences", mine, theirs);
  });
  InChild([&] { Compare("differ everywhere", Seq(1, 1, n), Seq(2, 2, n)); });
  InChild([&] {
    // The diff's worst case: few distinct lines in random order, so nothing is unique and
    // every line has matches on the other side. The time budget (3 s) ends it.
    std::mt19937 rng(3);
    Lines mine;
    Lines theirs;
    for (std::size_t k = 0; k < n; ++k) {
      mine.push_back("line " + std::to_string(rng() % 4));
      theirs.push_back("line " + std::to_string(rng() % 4));
    }
    Compare("four lines, random", mine, theirs);
  });
  InChild([&] { Live(n); });
  if (!libraries) return 0;
  for (const char* which : {"libgit2 patience", "libgit2 myers", "dtl"}) {
    InChild([&] {
      const Lines theirs = BuildLog(n, 1);
      const Lines mine = BuildLog(n, 2, true);
      Library("hundred", which, Ids(mine, theirs));
    });
    InChild([&] { Library("everywhere", which, Ids(Seq(1, 1, n), Seq(2, 2, n))); });
  }
  return 0;
}
