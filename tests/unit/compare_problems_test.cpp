#include "compare/problem_match.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace ssetail::compare;

TEST_CASE("compare: problems match by tool, file and normalised message, not by line") {
  const std::vector<Problem> other = {
      {"gcc", "/tmp/tmp.A1/util.c", "unused variable 'n' [-Wunused-variable]", "{\"id\":\"B.7\"}"},
      {"gcc", "main.c", "implicit declaration of function 'f'", "{\"id\":\"B.9\"}"},
      {"go test", "x_test.go", "TestX took 0.52s, want < 0.1s", "{\"id\":\"B.12\"}"},
  };
  const std::vector<Problem> mine = {
      {"gcc", "main.c", "implicit declaration of function 'f'", "{\"id\":\"A.30\"}"},
      {"gcc", "/tmp/tmp.Q9/parse.c", "expected ';' before 'return'", "{\"id\":\"A.41\"}"},
      {"go test", "x_test.go", "TestX took 0.61s, want < 0.1s", "{\"id\":\"A.50\"}"},
      {"clang", "main.c", "implicit declaration of function 'f'", "{\"id\":\"A.51\"}"},
  };
  const ProblemChanges changes = MatchProblems(mine, other);
  CHECK(changes.added == std::vector<std::size_t>{1, 3});  // the new error; another tool
  CHECK(changes.removed == std::vector<std::size_t>{0});   // the fixed warning
}

TEST_CASE("compare: equal problems pair up in order") {
  const Problem p{"gcc", "a.c", "unused variable 'x'", "{}"};
  const Problem q{"gcc", "b.c", "unused variable 'x'", "{}"};
  const std::vector<Problem> mine = {p, q, p, p};
  const std::vector<Problem> other = {p, q, q, p};
  const ProblemChanges changes = MatchProblems(mine, other);
  CHECK(changes.added == std::vector<std::size_t>{3});
  CHECK(changes.removed == std::vector<std::size_t>{2});
  CHECK(MatchProblems({}, {}).added.empty());
}
