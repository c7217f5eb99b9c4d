// GET /runs on a relay (SPEC §10, §13, §15): the runs as JSON, newest first, with what a CI
// front page draws for each (state running, exited or lost, exit, start, duration, title,
// problem counts, the run to compare with). Pure.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "run/run_summary.hpp"

namespace ssetail {

// {"runs":[{…}],"error":null}, or {"runs":null,"error":"why"} when the list could not be had.
std::string RunListJson(const Result<std::vector<RunSummary>>& runs);

}  // namespace ssetail
