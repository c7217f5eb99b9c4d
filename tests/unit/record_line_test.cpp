#include "record/record_line.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace ssetail;
using namespace std::string_literals;

namespace {

std::string OutputLine(std::string_view run, std::uint64_t seq, EventType type,
                       std::string_view text, std::uint32_t t_ms, SegmentEnd end) {
  std::string buffer(record::OutputLineBound(run, text.size()), '\xAA');
  char* const end_of_line = record::WriteOutputLine(buffer.data(), run, seq, type, text, t_ms, end);
  const auto size = static_cast<std::size_t>(end_of_line - buffer.data());
  REQUIRE(size <= buffer.size());
  buffer.resize(size);
  return buffer;
}

// Parses a line (without its newline); nothing when refused, with `why` set.
struct Parsed {
  std::optional<record::Line> line;
  std::string why;
  std::string text_buffer;
};
Parsed Parse(std::string_view line) {
  Parsed parsed;
  parsed.text_buffer.reserve(4096);  // keeps `text` valid for the test's copies
  if (auto result = record::ParseLine(line, parsed.text_buffer)) {
    parsed.line = *result;
  } else {
    parsed.why = result.error();
  }
  return parsed;
}

std::string WithoutNewline(std::string line) {
  REQUIRE(!line.empty());
  REQUIRE(line.back() == '\n');
  line.pop_back();
  return line;
}

// The decoded text of an output line whose data is {"text":TEXT,"t":1}.
std::optional<std::string> TextOf(std::string_view json_text) {
  const std::string line =
      R"({"id":"r.2","event":"stdout","data":{"text":)" + std::string(json_text) + R"(,"t":1}})";
  const Parsed parsed = Parse(line);
  if (!parsed.line) return std::nullopt;
  return std::string(parsed.line->text);
}

std::string WhyRefused(std::string_view line) {
  const Parsed parsed = Parse(line);
  CHECK_FALSE(parsed.line.has_value());
  return parsed.why;
}

}  // namespace

TEST_CASE("record line: AppendLine writes exactly one line") {
  std::string out = "before\n";
  record::AppendLine(out, "ab", 1, EventType::Start, R"({"command":["x"],"pid":7})");
  record::AppendLine(out, "ab", 18446744073709551615u, EventType::Exit, R"({"code":0})");
  CHECK(out ==
        "before\n"
        R"({"id":"ab.1","event":"start","data":{"command":["x"],"pid":7}})"
        "\n"
        R"({"id":"ab.18446744073709551615","event":"exit","data":{"code":0}})"
        "\n");
}

TEST_CASE("record line: WriteOutputLine writes the JSON flavour's data") {
  CHECK(OutputLine("ab", 7, EventType::Stdout, "x\"y", 5, SegmentEnd::CarriageReturn) ==
        "{\"id\":\"ab.7\",\"event\":\"stdout\",\"data\":{\"text\":\"x\\\"y\",\"t\":5,\"cr\":true}}"
        "\n");
  CHECK(OutputLine("ab", 8, EventType::Stderr, "", 4294967295u, SegmentEnd::Partial) ==
        R"({"id":"ab.8","event":"stderr","data":{"text":"","t":4294967295,"partial":true}})"
        "\n");
  CHECK(OutputLine("r", 2, EventType::Stdout, "tab\there \\ \x01", 0, SegmentEnd::Newline) ==
        R"({"id":"r.2","event":"stdout","data":{"text":"tab\there \\ \u0001","t":0}})"
        "\n");
  // Text of nothing but bytes to escape stays within the bound.
  const std::string worst(1000, '\x01');
  CHECK(OutputLine("run", 3, EventType::Stdout, worst, 0, SegmentEnd::Partial).size() <=
        record::OutputLineBound("run", worst.size()));
}

TEST_CASE("record line: output lines parse back to their fields") {
  struct Case {
    EventType type;
    std::string text;
    std::uint32_t t_ms;
    SegmentEnd end;
  };
  const std::vector<Case> cases = {
      {EventType::Stdout, "x\"y", 5, SegmentEnd::CarriageReturn},
      {EventType::Stderr, "", 0, SegmentEnd::Partial},
      {EventType::Stdout, "plain text", 4294967295u, SegmentEnd::Newline},
      {EventType::Stdout, "\t\\/\b\f\x01\x1f caf\xC3\xA9 \xF0\x9F\x98\x80 \xE2\x80\xA8", 12,
       SegmentEnd::Newline},
  };
  for (const Case& c : cases) {
    CAPTURE(c.text);
    const std::string line = WithoutNewline(OutputLine("ab", 42, c.type, c.text, c.t_ms, c.end));
    const Parsed parsed = Parse(line);
    REQUIRE_MESSAGE(parsed.line.has_value(), parsed.why);
    CHECK(parsed.line->run_id == "ab");
    CHECK(parsed.line->seq == 42);
    CHECK(parsed.line->type == c.type);
    CHECK(parsed.line->text == c.text);
    CHECK(parsed.line->t_ms == c.t_ms);
    CHECK(parsed.line->end == c.end);
    CHECK(line.find(parsed.line->data) != std::string::npos);
    CHECK(parsed.line->data.front() == '{');
    CHECK(parsed.line->data.back() == '}');
  }
}

TEST_CASE("record line: a text without escapes is not copied, one with escapes is decoded") {
  const std::string plain = R"({"id":"r.2","event":"stdout","data":{"text":"abc","t":1}})";
  const Parsed a = Parse(plain);
  REQUIRE(a.line);
  CHECK(a.line->text == "abc");
  CHECK(a.line->text.data() >= plain.data());
  CHECK(a.line->text.data() < plain.data() + plain.size());
  CHECK(a.text_buffer.empty());

  const Parsed b = Parse(R"({"id":"r.2","event":"stdout","data":{"text":"a\"c","t":1}})");
  REQUIRE(b.line);
  CHECK(b.line->text == "a\"c");
  CHECK(b.text_buffer == "a\"c");
}

TEST_CASE("record line: start and exit keep their data as raw JSON") {
  const std::string start =
      R"({"id":"k3.1","event":"start","data":{"command":["sh","-c","echo \"hi\""],"pid":12}})";
  const Parsed s = Parse(start);
  REQUIRE_MESSAGE(s.line, s.why);
  CHECK(s.line->type == EventType::Start);
  CHECK(s.line->seq == 1);
  CHECK(s.line->run_id == "k3");
  CHECK(s.line->data == R"({"command":["sh","-c","echo \"hi\""],"pid":12})");

  const Parsed e =
      Parse(R"({"id":"k3.9","event":"exit","data": {"code":null,"signal":"SIGTERM"}})");
  REQUIRE_MESSAGE(e.line, e.why);
  CHECK(e.line->type == EventType::Exit);
  CHECK(e.line->data == R"({"code":null,"signal":"SIGTERM"})");  // without the space before
}

TEST_CASE("record line: escapes in a text decode to UTF-8") {
  CHECK(TextOf(R"("\u0041\u00e9\u00E9\u20ac")") == "A\xC3\xA9\xC3\xA9\xE2\x82\xAC");
  CHECK(TextOf(R"("\ud83d\ude00")") == "\xF0\x9F\x98\x80");  // a surrogate pair
  CHECK(TextOf(R"("\"\\\/\b\f\t")") == "\"\\/\b\f\t");
  // A lone surrogate becomes U+FFFD; what follows it is decoded on its own.
  CHECK(TextOf(R"("a\ud83db")") ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(TextOf(R"("\ude00")") == "\xEF\xBF\xBD");
  CHECK(TextOf(R"("\ud83d\u0041")") ==
        "\xEF\xBF\xBD"
        "A");
  CHECK(TextOf(R"("\ud83d\ud83d\ude00")") == "\xEF\xBF\xBD\xF0\x9F\x98\x80");
  CHECK(TextOf(R"("\ud83d")") == "\xEF\xBF\xBD");  // at the very end
  // A NUL, escaped, is repaired to U+FFFD: texts never hold one.
  CHECK(TextOf(R"("a\u0000b")") ==
        "a\xEF\xBF\xBD"
        "b");
  // Malformed escapes are bad JSON.
  CHECK_FALSE(TextOf(R"("\x41")"));
  CHECK_FALSE(TextOf(R"("\u00g1")"));
  CHECK_FALSE(TextOf(R"("\u00")"));
  CHECK_FALSE(TextOf(R"("abc\")"));
}

TEST_CASE("record line: invalid UTF-8 is refused, a NUL repaired") {
  // Raw invalid bytes anywhere in DATA: the line is refused, not passed on to clients.
  CHECK(WhyRefused("{\"id\":\"r.2\",\"event\":\"stdout\",\"data\":{\"text\":\"a\xFF\",\"t\":1}}") ==
        "not UTF-8");
  CHECK(WhyRefused("{\"id\":\"r.2\",\"event\":\"stdout\",\"data\":{\"text\":\"\xC3\",\"t\":1}}") ==
        "not UTF-8");
  CHECK(WhyRefused("{\"id\":\"r.2\",\"event\":\"stdout\",\"data\":{\"text\":\"\xED\xA0\x80\"}}") ==
        "not UTF-8");  // an encoded surrogate
  CHECK(WhyRefused("{\"id\":\"r.1\",\"event\":\"start\",\"data\":{\"title\":\"\xC0\xAF\"}}") ==
        "not UTF-8");  // overlong
  const Parsed nul = Parse(R"({"id":"r.2","event":"stdout","data":{"text":"\u0000","t":1}})");
  REQUIRE(nul.line);
  CHECK(nul.line->text == "\xEF\xBF\xBD");
}

TEST_CASE("record line: keys in any order, unknown keys and spaces are accepted") {
  const Parsed p =
      Parse(R"({ "x":[1,{"y":null},-2.5e3,true,false,"s\n"] , "data" : { "partial":true, "t" : 3,)"
            R"( "extra":{"a":[]}, "text" : "hi", "cr":false } ,"event":"stderr", "id":"r.0012" })");
  REQUIRE_MESSAGE(p.line, p.why);
  CHECK(p.line->run_id == "r");
  CHECK(p.line->seq == 12);
  CHECK(p.line->type == EventType::Stderr);
  CHECK(p.line->text == "hi");
  CHECK(p.line->t_ms == 3);
  CHECK(p.line->end == SegmentEnd::Partial);  // "cr":false leaves it so
  CHECK(p.line->data.front() == '{');
  CHECK(p.line->data.back() == '}');

  // No "t": 0.
  const Parsed q = Parse(R"({"event":"stdout","id":"a_b-C.5","data":{"text":"x"}})");
  REQUIRE_MESSAGE(q.line, q.why);
  CHECK(q.line->run_id == "a_b-C");
  CHECK(q.line->seq == 5);
  CHECK(q.line->t_ms == 0);
  CHECK(q.line->end == SegmentEnd::Newline);
  CHECK(q.line->text == "x");
}

TEST_CASE("record line: refusals say why") {
  const std::string ok_data = R"({"text":"x","t":1})";
  CHECK(WhyRefused("") == "not a JSON object");
  CHECK(WhyRefused("[1]") == "not a JSON object");
  CHECK(WhyRefused(R"("id")") == "not a JSON object");
  CHECK(WhyRefused("{}") == "\"id\", \"event\" or \"data\" missing");
  CHECK(WhyRefused(R"({"event":"stdout","data":)" + ok_data + "}") ==
        "\"id\", \"event\" or \"data\" missing");
  CHECK(WhyRefused(R"({"id":"r.2","data":)" + ok_data + "}") ==
        "\"id\", \"event\" or \"data\" missing");
  CHECK(WhyRefused(R"({"id":"r.2","event":"stdout"})") == "\"id\", \"event\" or \"data\" missing");
  CHECK(WhyRefused(R"({"id":"r.2","event":"gap","data":{"missed":3}})") ==
        "\"event\" is not start, stdout, stderr or exit");
  CHECK(WhyRefused(R"({"id":"r.2","event":"message","data":{}})") ==
        "\"event\" is not start, stdout, stderr or exit");
  CHECK(WhyRefused(R"({"id":"r.2","event":"std\u006fut","data":{}})") ==
        "\"event\" is not a plain string");
  CHECK(WhyRefused(R"({"id":"r.2","event":3,"data":{}})") == "\"event\" is not a plain string");
  for (const char* id : {"r", "r.", ".2", "r.0", "r.x", "r.-1", "r.+1", "r.2 ", "r.00"}) {
    CAPTURE(id);
    CHECK(WhyRefused(R"({"id":")" + std::string(id) + R"(","event":"exit","data":{}})") ==
          "\"id\" is not RUN.SEQ");
  }
  CHECK(WhyRefused(R"({"id":"r\u002e2","event":"exit","data":{}})") ==
        "\"id\" is not a RUN.SEQ string");
  CHECK(WhyRefused(R"({"id":2,"event":"exit","data":{}})") == "\"id\" is not a RUN.SEQ string");
  // What a client could not be given.
  CHECK(WhyRefused(R"({"id":"r.2","event":"stdout","data":{"text":"a\nb","t":1}})") ==
        "\"text\" holds a line break");
  CHECK(WhyRefused(R"({"id":"r.2","event":"stdout","data":{"text":"a\rb","t":1}})") ==
        "\"text\" holds a line break");
  CHECK(WhyRefused("{\"id\":\"r.2\",\"event\":\"stdout\",\"data\":{\"text\":\"a\",\r\"t\":1}}") ==
        "\"data\" holds a line break");
  CHECK(WhyRefused("{\"id\":\"r.1\",\"event\":\"start\",\"data\":{\"a\":1,\r\"b\":2}}") ==
        "\"data\" holds a line break");
  CHECK(WhyRefused("{\"id\":\"r.2\",\"event\":\"stdout\",\"data\":{\"text\":\"a\rb\"}}") ==
        "bad JSON");  // a raw control character in a string
  // The shape of DATA.
  CHECK(WhyRefused(R"({"id":"r.2","event":"stdout","data":"x"})") ==
        "\"data\" of an output event is not an object");
  CHECK(WhyRefused(R"({"id":"r.2","event":"stdout","data":{"t":1}})") ==
        "an output event without \"text\"");
  CHECK(WhyRefused(R"({"id":"r.2","event":"stdout","data":{"text":1}})") == "bad JSON in \"data\"");
  CHECK(WhyRefused(R"({"id":"r.2","event":"stdout","data":{"text":"x","t":-1}})") ==
        "bad JSON in \"data\"");
  CHECK(WhyRefused(R"({"id":"r.2","event":"stdout","data":{"text":"x","t":4294967296}})") ==
        "bad JSON in \"data\"");
  CHECK(WhyRefused(R"({"id":"r.2","event":"stdout","data":{"text":"x","cr":1}})") ==
        "bad JSON in \"data\"");
  CHECK(WhyRefused(R"({"id":"r.1","event":"start","data":[]})") == "\"data\" is not an object");
  CHECK(WhyRefused(R"({"id":"r.9","event":"exit","data":null})") == "\"data\" is not an object");
  // Bad JSON around it.
  CHECK(WhyRefused(R"({"id":"r.9","event":"exit","data":{}})"
                   "x") == "more after the JSON object");
  CHECK(WhyRefused(R"({"id":"r.9","event":"exit","data":{}}})") == "more after the JSON object");
  CHECK(WhyRefused(R"({"id":"r.9","event":"exit","data":{}}{})") == "more after the JSON object");
  CHECK(WhyRefused(R"({"id":"r.9","event":"exit","data":{},})") == "bad JSON");
  CHECK(WhyRefused(R"({"id":"r.9" "event":"exit","data":{}})") == "bad JSON");
  CHECK(WhyRefused(R"({"id":"r.9","event":"exit","data":{"a":tru}})") == "bad JSON");
  CHECK(WhyRefused(R"({"id":"r.9","event":"exit","data":{"a" 1}})") == "bad JSON");
}

TEST_CASE("record line: every torn prefix of a line is refused") {
  const std::vector<std::string> lines = {
      WithoutNewline(
          OutputLine("ab", 7, EventType::Stdout, "x\"y \xC3\xA9", 55, SegmentEnd::CarriageReturn)),
      R"({"id":"ab.1","event":"start","data":{"command":["ls"],"pid":1234}})",
      R"({"id":"ab.9","event":"exit","data":{"code":0}})",
  };
  for (const std::string& line : lines) {
    REQUIRE(Parse(line).line.has_value());
    for (std::size_t n = 0; n < line.size(); ++n) {
      CAPTURE(n);
      CHECK_FALSE(Parse(std::string_view(line).substr(0, n)).line.has_value());
    }
  }
}

TEST_CASE("record line: deep nesting is refused without exhausting the stack") {
  const auto nested = [](int depth, char open, char close) {
    return std::string(static_cast<std::size_t>(depth), open) +
           std::string(static_cast<std::size_t>(depth), close);
  };
  const std::string deep = nested(100, '[', ']');
  CHECK(WhyRefused(R"({"id":"r.1","event":"start","data":{"a":)" + deep + "}}") == "bad JSON");
  CHECK(WhyRefused(R"({"x":)" + deep + R"(,"id":"r.1","event":"start","data":{}})") == "bad JSON");
  CHECK(WhyRefused(R"({"id":"r.2","event":"stdout","data":{"text":"x","y":)" + deep + "}}") ==
        "bad JSON");
  std::string objects;
  for (int i = 0; i < 100; ++i) objects += R"({"a":)";
  objects += "1" + std::string(100, '}');
  CHECK(WhyRefused(R"({"id":"r.1","event":"start","data":)" + objects + "}") == "bad JSON");
  // Hostile depth far past any stack.
  const std::string very_deep = nested(1000000, '[', ']');
  CHECK(WhyRefused(R"({"id":"r.1","event":"start","data":{"a":)" + very_deep + "}}") == "bad JSON");
  // Reasonable nesting is fine.
  const Parsed fine =
      Parse(R"({"id":"r.1","event":"start","data":{"a":)" + nested(20, '[', ']') + "}}");
  CHECK(fine.line.has_value());
}

TEST_CASE("record line: ids past 2^53 and run ids past 64 characters are refused (issue 19)") {
  const auto line = [](const std::string& id) {
    return R"({"id":")" + id + R"(","event":"stdout","data":{"text":"x","t":1}})";
  };
  // 19.1: the SEQ that made the recorder loop until the disk was full.
  for (const char* id :
       {"r.18446744073709551615", "r.9007199254740993", "r.99999999999999999999"}) {
    CAPTURE(id);
    CHECK(WhyRefused(line(id)) == "the id's SEQ is past 2^53");
  }
  const std::string bound_line = line("r.9007199254740992");
  const Parsed bound = Parse(bound_line);
  REQUIRE_MESSAGE(bound.line, bound.why);
  CHECK(bound.line->seq == kMaxSeq);
  // 19.7: run ids are bounded where they enter, and hold nothing that needs escaping.
  const std::string longest_line = line(std::string(64, 'a') + ".2");
  const Parsed longest = Parse(longest_line);
  REQUIRE_MESSAGE(longest.line, longest.why);
  CHECK(longest.line->run_id == std::string(64, 'a'));
  for (const std::string& run : {std::string(65, 'a'), std::string("a.b"), std::string("a b"),
                                 std::string("a\\\"b"), std::string("caf\u00e9")}) {
    CAPTURE(run);
    const std::string refused_line = line(run + ".2");
    const Parsed refused = Parse(refused_line);
    CHECK_FALSE(refused.line);
  }
  CHECK(WhyRefused(line("a.b.2")) == "the run id is not 1 to 64 of A-Z a-z 0-9 _ -");
  // A key twice is not "the last one wins" (19.8's way of turning stdout into exit).
  CHECK(WhyRefused(R"({"id":"r.2","event":"stdout","data":{"text":"x"},"event":"exit"})") ==
        "two \"event\"");
  CHECK(WhyRefused(R"({"id":"r.2","event":"exit","data":{},"data":{}})") == "two \"data\"");
  CHECK(WhyRefused(R"({"id":"r.2","id":"r.3","event":"exit","data":{}})") == "two \"id\"");
}

TEST_CASE("record line: ParseEvent takes an event by its parts, DATA one JSON value") {
  std::string buffer;
  auto ok = record::ParseEvent("run", 3, "stderr", R"( {"text":"a\tb","t":7,"cr":true} )", buffer);
  REQUIRE(ok);
  CHECK(ok->run_id == "run");
  CHECK(ok->seq == 3);
  CHECK(ok->type == EventType::Stderr);
  CHECK(ok->text == "a\tb");
  CHECK(ok->t_ms == 7);
  CHECK(ok->end == SegmentEnd::CarriageReturn);
  CHECK(ok->data == R"({"text":"a\tb","t":7,"cr":true})");
  // 19.8: a data field that goes on after its object.
  const auto spliced =
      record::ParseEvent("run", 3, "stdout", R"({"text":"x"},"event":"exit")", buffer);
  REQUIRE_FALSE(spliced);
  CHECK(spliced.error() == "\"data\" is not one JSON value");
  CHECK_FALSE(record::ParseEvent("run", 3, "stdout", R"({"text":"x"}})", buffer));
  // JSON allows a line break between tokens; an SSE data: line cannot hold one.
  CHECK_FALSE(record::ParseEvent("run", 3, "stdout", "{\"text\":\"x\",\n\"t\":1}", buffer));
  CHECK_FALSE(record::ParseEvent("run", 3, "stdout", "", buffer));
  CHECK_FALSE(record::ParseEvent("run", 3, "gap", R"({"missed":1})", buffer));
  CHECK_FALSE(record::ParseEvent("run", 0, "exit", R"({"code":0})", buffer));
  const auto past = record::ParseEvent("run", kMaxSeq + 1, "exit", R"({"code":0})", buffer);
  REQUIRE_FALSE(past);
  CHECK(past.error() == "SEQ is not from 1 to 2^53");
  CHECK(record::ParseEvent("run", kMaxSeq, "exit", R"({"code":0})", buffer));
  CHECK_FALSE(record::ParseEvent("run", 2, "exit", "[1]", buffer));
  CHECK_FALSE(record::ParseEvent("r.x", 2, "exit", "{}", buffer));
}
