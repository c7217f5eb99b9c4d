// Which problems are new in a run and which are gone since the other run (SPEC §14): matched
// by tool, file and normalised message, not by line number, so a warning that moved down
// because lines were added above it is neither. Pure; the run's index (SPEC §12) feeds it.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace ssetail::compare {

struct Problem {
  std::string tool;  // the matcher that found it ("gcc", "go test", …)
  std::string file;  // empty: none
  std::string message;
  std::string json;  // the problem's object as /problems writes it, echoed as it is
};

struct ProblemChanges {
  std::vector<std::size_t> added;    // indexes into this run's problems, in its order
  std::vector<std::size_t> removed;  // indexes into the other run's problems, in its order
};

// A problem matches one of the other run's with the same tool, normalised file and
// normalised message (Normalize: a temporary directory or an address in it does not count).
// Equal problems pair up in order: three in this run against two in the other make the
// third one new.
ProblemChanges MatchProblems(std::span<const Problem> this_run, std::span<const Problem> other_run);

}  // namespace ssetail::compare
