#include "compare/compare_ndjson.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace ssetail::compare;

TEST_CASE("compare: the header names the other run and the first difference") {
  const OtherRun other{"q9", "make \"build\"", "2026-12-05T23:01:07.981Z",
                       "{\"code\":0,\"signal\":null,\"duration_ms\":1200}"};
  CHECK(HeaderLine("r1", other, 42, std::nullopt) ==
        "{\"with\":{\"title\":\"make \\\"build\\\"\",\"started\":\"2026-12-05T23:01:07.981Z\","
        "\"exit\":{\"code\":0,\"signal\":null,\"duration_ms\":1200}},"
        "\"first_difference\":\"r1.42\"}\n");
  const OtherRun lost{"q9", "t", "s", std::nullopt};
  CHECK(HeaderLine("r1", lost, std::nullopt, Estimate{120000, 12}) ==
        "{\"with\":{\"title\":\"t\",\"started\":\"s\",\"exit\":null},\"first_difference\":null,"
        "\"estimate\":{\"left_ms\":120000,\"percent_slower\":12}}\n");
  CHECK(HeaderLine("r1", lost, std::nullopt, Estimate{5, std::nullopt})
            .find("\"percent_slower\":null") != std::string::npos);
}

TEST_CASE("compare: a hunk line names its lines on each side") {
  std::string out;
  AppendHunkLine(out, "r1", "q9", {{5, 6}, {}, 4});
  AppendHunkLine(out, "r1", "q9", {{}, {7}, 6});
  AppendHunkLine(out, "r1", "q9", {{}, {2}, std::nullopt});
  AppendHunkLine(out, "r1", "q9", {{9}, {8, 9}, 8});
  CHECK(out ==
        "{\"op\":\"insert\",\"ids\":[\"r1.5\",\"r1.6\"],\"with_ids\":[]}\n"
        "{\"op\":\"delete\",\"ids\":[],\"with_ids\":[\"q9.7\"],\"after\":\"r1.6\"}\n"
        "{\"op\":\"delete\",\"ids\":[],\"with_ids\":[\"q9.2\"],\"after\":null}\n"
        "{\"op\":\"replace\",\"ids\":[\"r1.9\"],\"with_ids\":[\"q9.8\",\"q9.9\"]}\n");
}

TEST_CASE("compare: the body is the header, the hunks, then new and gone problems") {
  Comparison c;
  std::uint64_t seq = 2;
  for (const char* line : {"a", "b", "c"}) c.Append(Side::Other, seq++, line, 0);
  seq = 2;
  for (const char* line : {"a", "x", "c"}) c.Append(Side::This, seq++, line, 0);
  c.Finish(Side::This);
  c.Finish(Side::Other);
  REQUIRE(c.Advance());
  const std::vector<Problem> mine = {{"gcc", "x.c", "new", "{\"id\":\"r1.3\"}"}};
  const std::vector<Problem> theirs = {{"gcc", "b.c", "old", "{\"id\":\"q9.3\"}"}};
  std::string body;
  int pieces = 0;
  CHECK(WriteCompareBody(c, "r1", {"q9", "t", "s", std::nullopt}, mine, theirs, true, std::nullopt,
                         [&](std::string_view piece) {
                           body += piece;
                           ++pieces;
                           return true;
                         }));
  CHECK(pieces == 1);
  CHECK(body ==
        "{\"with\":{\"title\":\"t\",\"started\":\"s\",\"exit\":null},"
        "\"first_difference\":\"r1.3\"}\n"
        "{\"op\":\"replace\",\"ids\":[\"r1.3\"],\"with_ids\":[\"q9.3\"]}\n"
        "{\"new_problems\":[{\"id\":\"r1.3\"}],\"gone_problems\":[{\"id\":\"q9.3\"}],"
        "\"complete\":true}\n");
  // While the index is not complete, neither is the answer.
  body.clear();
  WriteCompareBody(c, "r1", {"q9", "t", "s", std::nullopt}, {}, {}, false, std::nullopt,
                   [&](std::string_view piece) {
                     body += piece;
                     return true;
                   });
  CHECK(body.ends_with("\"complete\":false}\n"));
}

TEST_CASE("compare: a long body goes in pieces, and a sink that refuses stops it") {
  Comparison c;
  for (std::uint64_t k = 0; k < 20000; ++k) {
    c.Append(Side::This, k + 2, "mine " + std::to_string(k), 0);
    c.Append(Side::Other, k + 2,
             k % 2 ? "theirs " + std::to_string(k) : "mine " + std::to_string(k), 0);
  }
  c.Finish(Side::This);
  c.Finish(Side::Other);
  REQUIRE(c.Advance());
  std::vector<std::size_t> sizes;
  CHECK(WriteCompareBody(c, "r1", {"q9", "t", "s", std::nullopt}, {}, {}, true, std::nullopt,
                         [&](std::string_view piece) {
                           sizes.push_back(piece.size());
                           return true;
                         }));
  REQUIRE(sizes.size() > 5);
  for (std::size_t k = 0; k + 1 < sizes.size(); ++k) CHECK(sizes[k] < 64 * 1024 + 200);
  int calls = 0;
  CHECK(!WriteCompareBody(c, "r1", {"q9", "t", "s", std::nullopt}, {}, {}, true, std::nullopt,
                          [&](std::string_view) {
                            ++calls;
                            return false;
                          }));
  CHECK(calls == 1);
}
