#include "compare/estimate.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "compare/comparison.hpp"

using namespace ssetail::compare;

TEST_CASE("compare: ParseProgress reads ninja's and CMake's counts at the start of a line") {
  const auto p = ParseProgress("[12/345] Building C object a.o");
  REQUIRE(p);
  CHECK(p->done == 12);
  CHECK(p->total == 345);
  const auto percent = ParseProgress("\x1b[32m[ 45%]\x1b[0m Building CXX object");
  REQUIRE(percent);
  CHECK(percent->done == 45);
  CHECK(percent->total == 100);
  CHECK(!ParseProgress("cc [1/2]"));
  CHECK(!ParseProgress("[3/0] x"));
  CHECK(!ParseProgress("[4/3] x"));
  CHECK(!ParseProgress("[1234] pid"));
  CHECK(!ParseProgress("[ 101%]"));
  CHECK(!ParseProgress("[12/"));
  CHECK(!ParseProgress(""));
}

TEST_CASE("compare: EstimateLeft keeps this run's pace against the other run") {
  // Half-way through the other run's work, this run took 30% longer to get there.
  const auto slower = EstimateLeft({6500, 5000}, 10000, 6500);
  REQUIRE(slower);
  CHECK(slower->left_ms == 6500);
  CHECK(slower->percent_slower == 30);
  // Time spent since that point counts: 1 s later, 1 s less is left.
  CHECK(EstimateLeft({6500, 5000}, 10000, 7500)->left_ms == 5500);
  const auto faster = EstimateLeft({4000, 5000}, 10000, 4000);
  CHECK(faster->left_ms == 4000);
  CHECK(faster->percent_slower == -20);
  // Early on the pace is not known: the other run's remaining time as it is.
  const auto early = EstimateLeft({40, 20}, 10000, 40);
  CHECK(!early->percent_slower);
  CHECK(early->left_ms == 9980);
  CHECK(EstimateLeft({20000, 10000}, 10000, 25000)->left_ms == 0);
  CHECK(!EstimateLeft({1, 1}, 0, 1));
}

namespace {

struct Step {
  std::string line;
  std::int64_t t_ms;
};

// A ninja-like build of 200 steps: `[n/200] Building C object obj_K.o` lines, each step's
// length drawn at random (20..400 ms), the link step long; `pace` stretches every step,
// and steps running side by side (-j2) swap their lines now and then.
std::vector<Step> Build(double pace, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> step_ms(20, 400);
  std::vector<Step> steps;
  double t = 0;
  for (int k = 1; k <= 200; ++k) {
    t += (k == 200 ? 3000 : step_ms(rng)) * pace;
    const std::string what =
        k == 200 ? "Linking C executable app" : "Building C object obj_" + std::to_string(k) + ".o";
    steps.push_back({"[" + std::to_string(k) + "/200] " + what, std::llround(t)});
  }
  for (std::size_t k = 1; k + 1 < steps.size(); k += 7) std::swap(steps[k].line, steps[k + 1].line);
  steps.push_back({"ninja: no work to do after this", steps.back().t_ms + 5});
  return steps;
}

}  // namespace

TEST_CASE("compare: a live ninja-like build's time left is within 20% of the truth half-way") {
  for (const double pace : {1.0, 1.3, 0.75}) {
    CAPTURE(pace);
    const auto other = Build(1.0, 1);
    const auto mine = Build(pace, 2);  // other step lengths, same work
    Comparison c;
    std::uint64_t seq = 2;
    for (const Step& s : other) c.Append(Side::Other, seq++, s.line, s.t_ms);
    c.Finish(Side::Other);
    const std::int64_t total = mine.back().t_ms;
    const std::int64_t half = total / 2;
    seq = 2;
    for (const Step& s : mine) {
      if (s.t_ms > half) break;
      c.Append(Side::This, seq++, s.line, s.t_ms);
    }
    c.Advance();
    const auto reached = c.LastReached();
    REQUIRE(reached);
    const auto estimate = EstimateLeft(*reached, other.back().t_ms, half);
    REQUIRE(estimate);
    const double truth = static_cast<double>(total - half);
    CHECK(std::abs(static_cast<double>(estimate->left_ms) - truth) <= 0.2 * truth);
    REQUIRE(estimate->percent_slower);
    CHECK(std::abs(*estimate->percent_slower - (pace - 1.0) * 100) <= 20);
  }
}

TEST_CASE("compare: the build's own progress places a run whose lines do not align") {
  Comparison c;
  for (int k = 1; k <= 100; ++k) {
    c.Append(Side::Other, k + 1, "[" + std::to_string(k) + "/100] old_" + std::to_string(k),
             k * 100);
  }
  c.Finish(Side::Other);
  for (int k = 1; k <= 50; ++k) {
    c.Append(Side::This, k + 1, "[" + std::to_string(k) + "/100] renamed_" + std::to_string(k),
             k * 120);
  }
  c.Advance();
  const auto reached = c.LastReached();
  REQUIRE(reached);
  CHECK(reached->this_ms == 6000);
  CHECK(reached->other_ms == 5000);
}
