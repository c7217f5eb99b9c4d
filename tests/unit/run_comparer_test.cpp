// --compare's wiring (SPEC §14): the other run read from its record file, and the served run
// followed from its History into GET /compare's answer.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/startup_error.hpp"
#include "comparing/other_record.hpp"
#include "comparing/run_comparer.hpp"
#include "history/history.hpp"
#include "indexer/run_indexer.hpp"
#include "temp_dir.hpp"

using namespace ssetail;
using testing::TempDir;

namespace {

const std::string kStart = R"({"id":"old.1","event":"start","data":{"command":["make"],"pid":1,)"
                           R"("started":"2026-12-06T10:00:00.000Z","title":"make"}})"
                           "\n";

std::string Line(std::uint64_t seq, const std::string& text, std::uint32_t t) {
  return R"({"id":"old.)" + std::to_string(seq) + R"(","event":"stdout","data":{"text":")" + text +
         R"(","t":)" + std::to_string(t) + "}}\n";
}

// The other run: a, b, a warning, c; exited 0 after 4 s.
std::string OtherRecordText() {
  return kStart + Line(2, "a 0.5s", 10) + Line(3, "b", 20) +
         Line(4, "x.c:3:5: warning: unused variable", 30) + Line(5, "c", 40) +
         R"({"id":"old.6","event":"exit","data":{"code":0,"signal":null,"duration_ms":4000}})"
         "\n";
}

std::vector<std::string> Lines(const std::string& body) {
  std::vector<std::string> lines;
  std::string::size_type begin = 0;
  for (auto end = body.find('\n'); end != std::string::npos; end = body.find('\n', begin)) {
    lines.push_back(body.substr(begin, end - begin));
    begin = end + 1;
  }
  return lines;
}

}  // namespace

TEST_CASE("ReadOtherRecord: the run, its exit and its problems") {
  TempDir dir;
  const OtherRecord other = ReadOtherRecord(dir.Write("a.jsonl", OtherRecordText()));
  CHECK(other.run.run_id == "old");
  CHECK(other.run.title == "make");
  CHECK(other.run.started == "2026-12-06T10:00:00.000Z");
  CHECK(other.run.exit_json == R"({"code":0,"signal":null,"duration_ms":4000})");
  CHECK(other.duration_ms == 4000);
  REQUIRE(other.problems.problems.size() == 1);
  CHECK(other.problems.problems[0].file == "x.c");
  CHECK(other.problems.problems[0].json.find("\"id\":\"old.4\"") != std::string::npos);
  CHECK(other.problems.seqs == std::vector<std::uint64_t>{4});
  CHECK(other.comparison->lines(compare::Side::Other) == 4);
}

TEST_CASE("ReadOtherRecord: a record cut short counts as what it holds") {
  TempDir dir;
  const OtherRecord other =
      ReadOtherRecord(dir.Write("a.jsonl", kStart + Line(2, "a", 1) + Line(3, "b", 2)));
  CHECK_FALSE(other.run.exit_json);
  CHECK_FALSE(other.duration_ms);
  CHECK(other.comparison->lines(compare::Side::Other) == 2);
}

TEST_CASE("ReadOtherRecord: what is not a record is a StartupError naming the file") {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {dir.Write("empty", ""), "empty"},
      {dir.Write("text", "hello\n"), ":1:"},
      {dir.Write("nostart", Line(2, "a", 1)), ":1:"},
      {dir.Write("order", kStart + Line(3, "a", 1) + Line(2, "b", 2)), ":3: ids do not increase"},
      {dir.Write("other", kStart + R"({"id":"new.2","event":"stdout","data":{"text":"a","t":1}})"
                                   "\n"),
       ":2: an id of another run"},
      {dir.path(), "not a regular file"},
      {dir.path() + "/missing", "No such file"},
  };
  for (const auto& [path, why] : bad) {
    CAPTURE(path);
    try {
      ReadOtherRecord(path);
      FAIL("not refused");
    } catch (const StartupError& e) {
      const std::string what = e.what();
      CHECK(e.status() == 125);
      CHECK(what.find("--compare " + path) == 0);
      CHECK(what.find(why) != std::string::npos);
    }
  }
}

TEST_CASE("RunComparer: the run as the History has it, the real change only, then complete") {
  TempDir dir;
  History history("new", {});
  RunIndexer indexer(history, nullptr, {});  // the run's problems are its indexer's
  indexer.Start();
  RunComparer comparer(history, nullptr, indexer,
                       ReadOtherRecord(dir.Write("a.jsonl", OtherRecordText())));
  comparer.Start();
  {
    History::Writer writer(history);
    writer.Append(EventType::Start, R"({"title":"make","started":"2026-12-06T11:00:00.000Z"})", 0);
    writer.Append(EventType::Stdout, "a 0.7s", 10);
    writer.Append(EventType::Stdout, "b", 20);
  }
  // While the run goes on: nothing differs so far, the other run's lines ahead are not gone.
  std::vector<std::string> lines = Lines(comparer.Answer());
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find(R"("first_difference":null)") != std::string::npos);
  CHECK(lines[0].find(R"("estimate":{"left_ms":)") != std::string::npos);
  CHECK(lines[1] == R"({"new_problems":[],"gone_problems":[],"complete":false})");
  {
    History::Writer writer(history);
    writer.Append(EventType::Stdout, "c", 40);
    writer.Append(EventType::Stdout, "y.c:1:1: error: boom", 50);
  }
  history.AppendLast(EventType::Exit, R"({"code":1,"signal":null,"duration_ms":60})", 60);
  lines = Lines(comparer.Answer());
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].find(R"("first_difference":"new.4")") != std::string::npos);
  CHECK(lines[0].find("estimate") == std::string::npos);
  CHECK(lines[1] == R"({"op":"delete","ids":[],"with_ids":["old.4"],"after":"new.3"})");
  CHECK(lines[2] == R"({"op":"insert","ids":["new.5"],"with_ids":[]})");
  CHECK(lines[3].find(R"({"new_problems":[{"id":"new.5")") == 0);
  CHECK(lines[3].find(R"("gone_problems":[{"id":"old.4")") != std::string::npos);
  CHECK(lines[3].find(R"("complete":true)") != std::string::npos);
}
