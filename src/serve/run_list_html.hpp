// GET / on a relay (SPEC §10, §13): the runs as a CI front page that works without
// JavaScript: runs grouped by title (the group of the newest run first, each group newest
// first, with its last outcomes as a row of small badges), a coloured state badge, errors
// and warnings, start as relative time ("3 min ago", the ISO time on hover), duration, a link
// to each run's page and to its comparison with the last green run. run-list.js (web/)
// filters, updates the times and the list while it is open; without it a <noscript> refresh
// keeps the list current. Every text from the list is escaped. Pure: `now_ms` is the clock.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "run/run_summary.hpp"

namespace ssetail {

// The page; `runs` failed: the page says Redis cannot be read, and why.
std::string RunListHtml(const Result<std::vector<RunSummary>>& runs, std::int64_t now_ms);

// The outcome a badge shows: "passed", "failed", "running", "lost" or "unknown".
std::string_view RunOutcome(const RunSummary& run);

// "just now", "42 s ago", "3 min ago", "5 h ago", "2 days ago"; over 30 days, the date.
std::string RelativeTime(std::int64_t started_ms, std::int64_t now_ms, std::string_view iso);

}  // namespace ssetail
