// The index's HTTP encodings (SPEC §12): GET /problems, GET /sections, the members /status
// gains, and the delta an event stream can carry. Pure functions of a RunIndex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "index/run_index.hpp"

namespace ssetail::index {

// {"id":"RUN.SEQ","severity":"error","file":STR|null,"line":N|null,"col":N|null,
//  "message":STR,"tool":STR}
void AppendProblemJson(std::string& out, std::string_view run_id, const Problem& problem);

// {"title":STR,"first":"RUN.SEQ","last":"RUN.SEQ"|null,"depth":N,"duration_ms":N|null,
//  "failed":bool}
void AppendSectionJson(std::string& out, std::string_view run_id, const Section& section);

// GET /problems: {"errors":N,"warnings":N,"notices":N,"complete":bool,"problems":[…]}, the
// problems kept in line order; `complete` once the index is finished. Counts are of every
// problem found, so they may exceed the list past IndexOptions::max_problems.
void AppendProblemsJson(std::string& out, std::string_view run_id, const RunIndex& index);

// GET /sections: {"sections":[…]} in line order.
void AppendSectionsJson(std::string& out, std::string_view run_id, const RunIndex& index);

// What /status gains, to be spliced into its object:
// "problems":{"errors":N,"warnings":N},"progress":{"done":N,"total":N}|null
void AppendStatusMembers(std::string& out, const RunIndex& index);

// How far a reader (an event stream) has seen the index.
struct IndexCursor {
  bool sent = false;          // it was sent a delta
  std::size_t problems = 0;   // problems() it was sent
  std::uint64_t version = 0;  // the index version it saw last
};

// What changed since `cursor`, as one JSON object, and the cursor moved on; false (nothing
// appended) when the index has not changed. {"errors":N,"warnings":N,"notices":N,
// "complete":bool,"problems":[new ones, in the order found],"sections":[{"n":INDEX,…} for
// each section added or changed],"progress":{"done":N,"total":N,"id":"RUN.SEQ"}|null}.
// A fresh cursor gets everything. Sections are scanned whole (they are few and capped).
bool AppendIndexDelta(std::string& out, std::string_view run_id, const RunIndex& index,
                      IndexCursor& cursor);

}  // namespace ssetail::index
