// The run's index on real output: each run record in tests/unit/fixtures/index (made by
// make.sh from real tools through ssetail --save) fed event by event, its problems,
// sections, progress and counts compared with NAME[.VARIANT].expected, written from
// reading the tools' output.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "index/run_index.hpp"
#include "record/record_line.hpp"

using namespace ssetail;

namespace {

const std::filesystem::path kFixtures = SSETAIL_INDEX_FIXTURES;

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The expected file's text form: P|seq|severity|tool|file|line|col|message per problem in
// line order, S|depth|first|last|duration_ms|failed or ok|title per section, G|done/total,
// C|errors|warnings|notices.
std::string Render(const index::RunIndex& idx) {
  std::ostringstream out;
  const auto number = [](std::uint32_t n) { return n == 0 ? std::string() : std::to_string(n); };
  for (const std::uint32_t i : idx.line_order()) {
    const index::Problem& p = idx.problems()[i];
    out << "P|" << p.seq << '|' << index::SeverityName(p.severity) << '|' << p.tool << '|' << p.file
        << '|' << number(p.line) << '|' << number(p.col) << '|' << p.message << '\n';
  }
  for (const index::Section& s : idx.sections()) {
    out << "S|" << s.depth << '|' << s.first << '|' << s.last << '|' << s.duration_ms() << '|'
        << (s.failed ? "failed" : "ok") << '|' << s.title << '\n';
  }
  if (const auto& g = idx.progress()) {
    out << "G|" << g->fraction.done << '/' << g->fraction.total << '\n';
  }
  out << "C|" << idx.counts().errors << '|' << idx.counts().warnings << '|' << idx.counts().notices
      << '\n';
  return out.str();
}

// Feeds a run record to an index as an indexer following the History would, and finishes
// it at the exit event.
void Feed(const std::filesystem::path& record, index::RunIndex& idx) {
  std::ifstream in(record);
  REQUIRE(in);
  std::string line, buffer;
  std::uint32_t t = 0;
  while (std::getline(in, line)) {
    buffer.clear();
    const auto event = record::ParseLine(line, buffer);
    REQUIRE(event);
    if (event->type == EventType::Exit) {
      idx.Finish(t);
      continue;
    }
    if (IsOutput(event->type)) t = event->t_ms;
    idx.Add(event->seq, event->type, event->text, event->t_ms, event->end);
  }
  CHECK(idx.finished());
}

}  // namespace

TEST_CASE("index fixtures: each real tool's output gives the expected problems and sections") {
  std::size_t checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    const std::string name = entry.path().filename();
    if (!name.ends_with(".expected")) continue;
    std::string expected = Read(entry.path());
    index::IndexOptions options;
    if (expected.starts_with("O|sections=")) {  // the variant's options, on its first line
      const std::size_t eol = expected.find('\n');
      std::string why;
      const auto dialects = index::ParseSectionDialects(expected.substr(11, eol - 11), false, &why);
      REQUIRE_MESSAGE(dialects, why);
      options.sections = *dialects;
      expected.erase(0, eol + 1);
    }
    index::RunIndex idx(options);
    Feed(kFixtures / (name.substr(0, name.find('.')) + ".ndjson"), idx);
    INFO("fixture ", name);
    CHECK(Render(idx) == expected);
    ++checked;
  }
  CHECK(checked >= 20);
}

TEST_CASE("index fixtures: every record has its expectation") {
  for (const auto& entry : std::filesystem::directory_iterator(kFixtures)) {
    if (entry.path().extension() != ".ndjson") continue;
    auto expected = entry.path();
    expected.replace_extension(".expected");
    CHECK_MESSAGE(std::filesystem::exists(expected), expected.string());
  }
}
