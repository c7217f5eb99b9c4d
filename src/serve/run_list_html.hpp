// GET / on a relay (SPEC §10): the runs as an HTML page that works without JavaScript (a
// table, refreshed every 5 s by <meta http-equiv=refresh>), fed the same list as /runs.
// Every text from the list is escaped. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "run/run_summary.hpp"

namespace ssetail {

// The page; `runs` failed: the page says Redis cannot be read, and why.
std::string RunListHtml(const Result<std::vector<RunSummary>>& runs);

}  // namespace ssetail
