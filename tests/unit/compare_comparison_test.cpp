#include "compare/comparison.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace ssetail::compare;

namespace {

using Seqs = std::vector<std::uint64_t>;

struct Reported {
  Seqs seqs;
  Seqs with_seqs;
};

// Lines of a run as Append takes them: seq 2, 3, … (the start event is 1), 100 ms apart.
void Feed(Comparison& c, Side side, const std::vector<std::string>& lines, std::uint64_t seq = 2) {
  for (const std::string& line : lines) {
    c.Append(side, seq, line, static_cast<std::int64_t>(seq) * 100);
    ++seq;
  }
}

std::vector<Reported> Hunks(const Comparison& c) {
  std::vector<Reported> out;
  c.ForEachHunk([&](const HunkLines& h) {
    out.push_back({h.seqs, h.with_seqs});
    return true;
  });
  return out;
}

Comparison Both(const std::vector<std::string>& mine, const std::vector<std::string>& theirs,
                Budget budget = {}) {
  Comparison c(budget);
  Feed(c, Side::This, mine);
  Feed(c, Side::Other, theirs);
  c.Finish(Side::This);
  c.Finish(Side::Other);
  return c;
}

std::vector<std::string> Numbered(int from, int to, const std::string& prefix = "line ") {
  std::vector<std::string> lines;
  for (int k = from; k <= to; ++k) lines.push_back(prefix + std::to_string(k));
  return lines;
}

}  // namespace

TEST_CASE(
    "compare: two saved runs of a C project differ by exactly the new error and the fixed "
    "warning") {
  // Every line carries what differs from run to run: a timestamp, a temporary directory, a
  // duration; only the error (new) and the warning (gone) are real changes.
  const auto run = [](const std::string& time, const std::string& tmp, bool warning, bool error) {
    std::vector<std::string> lines = {
        time + " make -C " + tmp + "/proj all",
        time + " make[1]: Entering directory '" + tmp + "/proj'",
        time + " cc -O2 -c main.c -o main.o",
        time + " cc -O2 -c util.c -o util.o",
    };
    if (warning) {
      lines.push_back(time + " " + tmp +
                      "/proj/util.c:3:9: warning: unused variable 'n' [-Wunused-variable]");
      lines.push_back(time + "     3 |     int n;");
      lines.push_back(time + "       |         ^");
    }
    lines.push_back(time + " cc -O2 -c parse.c -o parse.o");
    if (error) {
      lines.push_back(time + " " + tmp + "/proj/parse.c:12:5: error: expected ';' before 'return'");
      lines.push_back(time + "    12 |     return 0");
      lines.push_back(time + "       |     ^~~~~~");
    }
    lines.push_back(time + " cc -O2 -c io.c -o io.o");
    lines.push_back(time + " ld: linked app in 0.03s (pid [4242])");
    lines.push_back(time + " make[1]: Leaving directory '" + tmp + "/proj'");
    return lines;
  };
  Comparison c = Both(run("2026-12-06T02:14:55.120Z", "/tmp/tmp.Zq81Lx", false, true),
                      run("2026-12-05T23:01:07.981Z", "/tmp/tmp.Ab3C9d", true, false));
  REQUIRE(c.Advance());
  const auto hunks = Hunks(c);
  REQUIRE(hunks.size() == 2);
  CHECK(hunks[0].seqs.empty());  // the warning: gone, its three lines
  CHECK(hunks[0].with_seqs == Seqs{6, 7, 8});
  CHECK(hunks[1].seqs == Seqs{7, 8, 9});  // the error: new
  CHECK(hunks[1].with_seqs.empty());
  CHECK(c.FirstDifference() == 6);  // where the warning was: this run's line after it
}

TEST_CASE("compare: identical runs have no hunk; one longer or shorter than the other") {
  Comparison same = Both(Numbered(1, 50), Numbered(1, 50));
  CHECK(same.Advance());
  CHECK(Hunks(same).empty());
  CHECK(!same.FirstDifference());

  Comparison longer = Both(Numbered(1, 60), Numbered(1, 50));
  CHECK(longer.Advance());
  REQUIRE(Hunks(longer).size() == 1);
  CHECK(Hunks(longer)[0].seqs.size() == 10);
  CHECK(Hunks(longer)[0].seqs.front() == 52);
  CHECK(Hunks(longer)[0].with_seqs.empty());

  Comparison shorter = Both(Numbered(1, 40), Numbered(1, 50));
  CHECK(shorter.Advance());
  REQUIRE(Hunks(shorter).size() == 1);
  CHECK(Hunks(shorter)[0].seqs.empty());
  CHECK(Hunks(shorter)[0].with_seqs == Seqs{42, 43, 44, 45, 46, 47, 48, 49, 50, 51});
  CHECK(shorter.FirstDifference() == 41);  // no line after the deletion: the last one

  Comparison empty = Both({}, Numbered(1, 3));
  CHECK(empty.Advance());
  REQUIRE(Hunks(empty).size() == 1);
  CHECK(!empty.FirstDifference());
}

TEST_CASE("compare: a replaced line is one hunk with both sides, and a deletion says where it is") {
  auto mine = Numbered(1, 30);
  mine[10] = "changed";
  mine.erase(mine.begin() + 20);
  Comparison c = Both(mine, Numbered(1, 30));
  REQUIRE(c.Advance());
  std::vector<HunkLines> hunks;
  c.ForEachHunk([&](const HunkLines& h) {
    hunks.push_back(h);
    return true;
  });
  REQUIRE(hunks.size() == 2);
  CHECK(hunks[0].seqs == Seqs{12});
  CHECK(hunks[0].with_seqs == Seqs{12});
  CHECK(hunks[1].seqs.empty());
  CHECK(hunks[1].with_seqs == Seqs{22});
  CHECK(hunks[1].after == 21);
}

TEST_CASE("compare: lines lost in a gap are neither new nor gone") {
  Comparison c;
  // This run lost lines 101..400 (their events 102..401): seq jumps from 101 to 402.
  Feed(c, Side::This, Numbered(1, 100));
  Feed(c, Side::This, Numbered(401, 500), 402);
  c.Append(Side::This, 502, "new at the end", 50000);
  Feed(c, Side::Other, Numbered(1, 500));
  c.Finish(Side::This);
  c.Finish(Side::Other);
  REQUIRE(c.Advance());
  const auto hunks = Hunks(c);
  REQUIRE(hunks.size() == 1);
  CHECK(hunks[0].seqs == Seqs{502});
  CHECK(hunks[0].with_seqs.empty());

  Comparison other_gap;  // the other run's record lost the stretch this run changed
  auto mine = Numbered(1, 500);
  mine[200] = "changed where the other run has a gap";
  Feed(other_gap, Side::This, mine);
  Feed(other_gap, Side::Other, Numbered(1, 150));
  Feed(other_gap, Side::Other, Numbered(251, 500), 252);
  other_gap.Finish(Side::This);
  other_gap.Finish(Side::Other);
  REQUIRE(other_gap.Advance());
  CHECK(Hunks(other_gap).empty());
}

TEST_CASE("compare: runs that differ everywhere are compared in bounded work and complete") {
  std::vector<std::string> theirs;
  for (int k = 2; k <= 40000; k += 2) theirs.push_back(std::to_string(k));
  std::vector<std::string> mine;
  for (int k = 1; k <= 20000; ++k) mine.push_back(std::to_string(k));
  Budget budget;
  budget.window = {64, 1024, 3};  // many windows, each small
  Comparison c = Both(mine, theirs, budget);
  REQUIRE(c.Advance());
  std::size_t inserted = 0;
  std::size_t deleted = 0;
  c.ForEachHunk([&](const HunkLines& h) {
    inserted += h.seqs.size();
    deleted += h.with_seqs.size();
    return true;
  });
  CHECK(inserted == 10000);  // the odd numbers
  CHECK(deleted == 10000);   // 20002..40000
}

TEST_CASE("compare: past its time budget Advance stops, says so, and goes on when called again") {
  auto mine = Numbered(1, 2000);
  for (int k = 5; k + 1 < 2000; k += 97) std::swap(mine[k], mine[k + 1]);  // the library's work
  Budget budget;
  budget.time = std::chrono::milliseconds(0);  // one window per call
  budget.window = {16, 64, 3};
  Comparison c = Both(mine, Numbered(1, 2000), budget);
  int calls = 1;
  while (!c.Advance()) {
    REQUIRE(calls < 10000);  // each call settles at least one window
    ++calls;
  }
  CHECK(calls > 10);
  Comparison at_once = Both(mine, Numbered(1, 2000));
  REQUIRE(at_once.Advance());
  const auto expected = Hunks(at_once);
  const auto hunks = Hunks(c);
  CHECK(hunks.size() >= 21);
  REQUIRE(hunks.size() == expected.size());
  for (std::size_t k = 0; k < hunks.size(); ++k) {
    CHECK(hunks[k].seqs == expected[k].seqs);
    CHECK(hunks[k].with_seqs == expected[k].with_seqs);
  }
}

TEST_CASE("compare: past the memory budget no more lines are taken and the answer is incomplete") {
  Budget budget;
  budget.memory_bytes = 64 * 1024;
  Comparison c = Both(Numbered(1, 20000), Numbered(1, 20000), budget);
  CHECK(c.lines(Side::This) < 20000);
  CHECK(!c.Advance());
  CHECK(!c.Complete());
  CHECK(Hunks(c).empty());  // what the budget left out is unknown, not gone
}

TEST_CASE("compare: a large insertion is found across windows") {
  auto theirs = Numbered(1, 3000);
  for (std::size_t k = 10; k < theirs.size(); k += 25) theirs[k] = "";  // blank lines match
  auto inserted = Numbered(1, 700, "new ");
  for (std::size_t k = 5; k < inserted.size(); k += 10) inserted[k] = "";
  auto mine = theirs;
  mine.insert(mine.begin() + 1000, inserted.begin(), inserted.end());
  Budget budget;
  budget.window = {64, 4096, 3};  // the insertion is 11 first windows long
  Comparison c = Both(mine, theirs, budget);
  REQUIRE(c.Advance());
  const auto hunks = Hunks(c);
  REQUIRE(hunks.size() == 1);
  CHECK(hunks[0].seqs.size() == 700);
  CHECK(hunks[0].seqs.front() == 1002);
  CHECK(hunks[0].with_seqs.empty());
}

TEST_CASE(
    "compare: a run that goes on is compared as far as it is, lines not reached yet are not gone") {
  Comparison c;
  const auto theirs = Numbered(1, 1000);
  Feed(c, Side::Other, theirs);
  c.Finish(Side::Other);
  auto mine = Numbered(1, 1000);
  mine[300] = "a new error";
  // Half of this run so far: the new line is reported, the other half of the other is not.
  Feed(c, Side::This, std::vector<std::string>(mine.begin(), mine.begin() + 500));
  CHECK(!c.Advance());
  auto hunks = Hunks(c);
  REQUIRE(hunks.size() == 1);
  CHECK(hunks[0].seqs == Seqs{302});
  CHECK(hunks[0].with_seqs == Seqs{302});
  // A new last line: reported as new so far.
  c.Append(Side::This, 502, "the newest line", 50200);
  CHECK(!c.Advance());
  hunks = Hunks(c);
  REQUIRE(hunks.size() == 2);
  CHECK(hunks[1].seqs == Seqs{502});
  CHECK(hunks[1].with_seqs.empty());
  REQUIRE(c.LastReached());
  CHECK(c.LastReached()->this_ms == 50100);  // line 500 (seq 501) matched the other's line 500
  CHECK(c.LastReached()->other_ms == 50100);
  // The rest, and the end: the same answer as comparing the two finished runs at once.
  mine[500] = "the newest line";
  Feed(c, Side::This, std::vector<std::string>(mine.begin() + 500, mine.end()), 502);
  c.Finish(Side::This);
  CHECK(c.Advance());
  Comparison at_once = Both(mine, theirs);
  CHECK(at_once.Advance());
  const auto expected = Hunks(at_once);
  hunks = Hunks(c);
  REQUIRE(hunks.size() == expected.size());
  for (std::size_t k = 0; k < hunks.size(); ++k) {
    CHECK(hunks[k].seqs == expected[k].seqs);
    CHECK(hunks[k].with_seqs == expected[k].with_seqs);
  }
}

TEST_CASE("compare: the last lines of a run that goes on are not settled on a chance match") {
  Comparison c;
  Feed(c, Side::Other, Numbered(1, 300));
  c.Finish(Side::Other);
  auto mine = Numbered(1, 100);
  mine.push_back("line 151");  // printed early: it matches the other run 50 lines on
  Feed(c, Side::This, mine);
  CHECK(!c.Advance());
  // So far the best alignment skips 50 of the other run's lines; it is only provisional.
  auto hunks = Hunks(c);
  REQUIRE(hunks.size() == 1);
  CHECK(hunks[0].with_seqs.size() == 50);
  auto rest = Numbered(101, 300);
  rest.erase(rest.begin() + 50);  // line 151 came early
  Feed(c, Side::This, rest, 103);
  c.Finish(Side::This);
  REQUIRE(c.Advance());
  hunks = Hunks(c);
  REQUIRE(hunks.size() == 2);
  CHECK(hunks[0].seqs == Seqs{102});  // line 151, early: new here
  CHECK(hunks[0].with_seqs.empty());
  CHECK(hunks[1].seqs.empty());  // and not where the other run had it
  CHECK(hunks[1].with_seqs == Seqs{152});
}

TEST_CASE("compare: a line appended with an old seq is ignored") {
  Comparison c;
  c.Append(Side::This, 5, "x", 0);
  c.Append(Side::This, 5, "y", 0);
  c.Append(Side::This, 3, "z", 0);
  CHECK(c.lines(Side::This) == 2);  // the gap (2..4) and x
}
