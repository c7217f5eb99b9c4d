// What ssetail tells the terminal and CI about the run's problems once the command ended
// (SPEC §12): one summary line, and GitHub workflow commands that annotate a pull request.
// Pure functions of a RunIndex.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "index/run_index.hpp"

namespace ssetail::index {

// `ssetail: 3 errors, 4 warnings; first error: util.c:5:5: expected ';' before 'return'
// (line 71)` and a newline; empty when the run had neither errors nor warnings. "line N" is
// the run's output line N, i.e. the problem's SEQ − 1 (`start` is SEQ 1): what `#LN` shows.
// Without errors, the first warning is named instead.
std::string SummaryLine(const RunIndex& index);

// `::error file=F,line=L,col=C::MESSAGE` (and `::warning`) lines, newline after each, for
// the first `per_severity` errors and warnings in line order that have a file. Problems
// that were workflow commands already are left out (GitHub annotated them as they came).
std::string GitHubAnnotations(const RunIndex& index, std::size_t per_severity = 10);

// GitHub's escaping of a workflow command's message (% CR LF), and of a property value
// (also ':' and ',').
std::string EscapeWorkflowData(std::string_view text);
std::string EscapeWorkflowProperty(std::string_view text);

}  // namespace ssetail::index
