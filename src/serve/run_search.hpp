// GET /search (SPEC §11, docs/spec.md §7 "/search"): every output event of a run matched
// against a literal or an RE2 pattern, from the run record (everything it holds) and then
// from memory (what the record does not: --no-record, a record that stopped, what came
// after), streamed as NDJSON while it is found, and bounded in matches, bytes and time.
#pragma once

#include "history/history.hpp"
#include "record/run_record.hpp"
#include "serve/stream_slots.hpp"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace ssetail {

// On a request thread of the server. `record` may be null. A search holds one of `slots`'
// searches until its answer is sent (or its client gone); past their cap: 503.
void ServeSearch(const History& history, const RunRecord* record, StreamSlots& slots,
                 const httplib::Request& req, httplib::Response& res);

}  // namespace ssetail
