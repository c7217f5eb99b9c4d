// What the CI service ssetail runs under says about the run (SPEC §13 "Source links"): the
// source-link template, the workspace root and the title, used where the command line gives
// none; whether Buildkite's section markers are on (--sections auto), and whether the summary
// is followed by GitHub's annotations. The environment is
// read in one place, CiEnvironment; the rest is pure and takes it as a map.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ssetail {

// Environment variables by name.
using Environment = std::map<std::string, std::string, std::less<>>;

// The variables CiDefaultsFrom reads, taken from the process's environment.
Environment CiEnvironment();

struct CiDefaults {
  std::string source_url;                 // a template that passes IsSourceUrlTemplate, or empty
  std::vector<std::string> source_roots;  // the workspace, as SourceRoot gives it
  std::string title;                      // empty: none
  bool buildkite = false;                 // BUILDKITE=true
  bool github_actions = false;            // GITHUB_ACTIONS=true
};

// GitHub Actions (GITHUB_ACTIONS=true): GITHUB_SERVER_URL/GITHUB_REPOSITORY/blob/GITHUB_SHA/
// {file}#L{line}, root GITHUB_WORKSPACE, title "GITHUB_WORKFLOW / GITHUB_JOB". GitLab CI
// (GITLAB_CI=true): CI_PROJECT_URL/-/blob/CI_COMMIT_SHA/{file}#L{line}, root CI_PROJECT_DIR,
// title CI_JOB_NAME. Buildkite (BUILDKITE=true): the title BUILDKITE_LABEL only. A value
// that is missing or unusable (a relative workspace, a URL that is not http(s)) gives none.
CiDefaults CiDefaultsFrom(const Environment& env);

}  // namespace ssetail
