// GET /runs/RUN/compare?with=RUN2 on a relay (SPEC §14): two runs it serves, each as far as
// it is now (its History, and its record for what memory lost), compared on the request's
// thread. Nothing is kept between requests: each reads both runs again (about 1 s for two
// 1 M-line runs), within the same bounds as --compare.
#pragma once

#include <string>

#include "history/history.hpp"
#include "record/run_record.hpp"

namespace ssetail {

// The NDJSON body: `run` is this run (the hunks' "ids"), `other` the one compared with.
std::string CompareHostedRuns(const History& run, const RunRecord* run_record, const History& other,
                              const RunRecord* other_record);

}  // namespace ssetail
