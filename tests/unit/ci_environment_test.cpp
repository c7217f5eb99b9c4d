#include "ci_environment.hpp"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <cstdlib>

#include <string>
#include <vector>

#include "source_link_rules.hpp"

using namespace ssetail;

namespace {
const Environment kGitHub{{"GITHUB_ACTIONS", "true"},
                          {"GITHUB_SERVER_URL", "https://github.com"},
                          {"GITHUB_REPOSITORY", "o/r"},
                          {"GITHUB_SHA", "abc"},
                          {"GITHUB_WORKSPACE", "/home/runner/work/r/r"},
                          {"GITHUB_WORKFLOW", "CI"},
                          {"GITHUB_JOB", "test"}};

Environment With(Environment env, const std::string& name, const std::string& value) {
  env[name] = value;
  return env;
}
}  // namespace

TEST_CASE("ci environment: GitHub Actions gives the commit's links, the workspace, the job") {
  const CiDefaults ci = CiDefaultsFrom(kGitHub);
  CHECK(ci.source_url == "https://github.com/o/r/blob/abc/{file}#L{line}");
  CHECK(ci.source_roots == std::vector<std::string>{"/home/runner/work/r/r"});
  CHECK(ci.title == "CI / test");
  CHECK(ci.github_actions);
  CHECK_FALSE(ci.buildkite);
  // GitHub Enterprise, its URL with a trailing slash; a workspace with one.
  CHECK(CiDefaultsFrom(With(kGitHub, "GITHUB_SERVER_URL", "https://ghe.example/")).source_url ==
        "https://ghe.example/o/r/blob/abc/{file}#L{line}");
  CHECK(CiDefaultsFrom(With(kGitHub, "GITHUB_WORKSPACE", "/w/")).source_roots ==
        std::vector<std::string>{"/w"});
  // The title with only one of its parts.
  CHECK(CiDefaultsFrom(With(kGitHub, "GITHUB_JOB", "")).title == "CI");
  Environment no_workflow = kGitHub;
  no_workflow.erase("GITHUB_WORKFLOW");
  CHECK(CiDefaultsFrom(no_workflow).title == "test");
}

TEST_CASE("ci environment: a missing or unusable part gives no link rather than a wrong one") {
  for (const char* name : {"GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"}) {
    CAPTURE(name);
    Environment env = kGitHub;
    env.erase(name);
    CHECK(CiDefaultsFrom(env).source_url.empty());
    CHECK(CiDefaultsFrom(With(kGitHub, name, "")).source_url.empty());
  }
  CHECK(CiDefaultsFrom(With(kGitHub, "GITHUB_SERVER_URL", "javascript:x")).source_url.empty());
  CHECK(CiDefaultsFrom(With(kGitHub, "GITHUB_WORKSPACE", "work")).source_roots.empty());
  CHECK(CiDefaultsFrom(With(kGitHub, "GITHUB_WORKSPACE", "/")).source_roots.empty());
  // Not under Actions (the variable is "true" there, and only there).
  const CiDefaults off = CiDefaultsFrom(With(kGitHub, "GITHUB_ACTIONS", "false"));
  CHECK(off.source_url.empty());
  CHECK(off.source_roots.empty());
  CHECK(off.title.empty());
}

TEST_CASE("ci environment: GitLab CI") {
  const CiDefaults ci = CiDefaultsFrom({{"GITLAB_CI", "true"},
                                        {"CI_PROJECT_URL", "https://gitlab.example/g/p"},
                                        {"CI_COMMIT_SHA", "0123abc"},
                                        {"CI_PROJECT_DIR", "/builds/g/p"},
                                        {"CI_JOB_NAME", "unit tests"}});
  CHECK(ci.source_url == "https://gitlab.example/g/p/-/blob/0123abc/{file}#L{line}");
  CHECK(ci.source_roots == std::vector<std::string>{"/builds/g/p"});
  CHECK(ci.title == "unit tests");
  CHECK(CiDefaultsFrom(
            {{"CI_PROJECT_URL", "https://gitlab.example/g/p"}, {"CI_COMMIT_SHA", "0123abc"}})
            .source_url.empty());
}

TEST_CASE("ci environment: Buildkite gives the step's label and its section markers only") {
  const CiDefaults ci = CiDefaultsFrom({{"BUILDKITE", "true"},
                                        {"BUILDKITE_LABEL", ":hammer: build"},
                                        {"BUILDKITE_BUILD_CHECKOUT_PATH", "/var/lib/bk/o/r"}});
  CHECK(ci.buildkite);
  CHECK_FALSE(ci.github_actions);
  CHECK(ci.title == ":hammer: build");
  CHECK(ci.source_url.empty());
  CHECK(ci.source_roots.empty());
  CHECK_FALSE(CiDefaultsFrom({}).buildkite);
}

TEST_CASE("ci environment: read from the process, only the variables it knows") {
  const char* before = std::getenv("CI_JOB_NAME");
  const std::string saved = before != nullptr ? before : "";
  ::setenv("CI_JOB_NAME", "lint", 1);
  const Environment env = CiEnvironment();
  CHECK(env.at("CI_JOB_NAME") == "lint");
  CHECK(env.count("PATH") == 0);
  if (before != nullptr) {
    ::setenv("CI_JOB_NAME", saved.c_str(), 1);
  } else {
    ::unsetenv("CI_JOB_NAME");
  }
}

TEST_CASE("source link rules: templates and roots") {
  CHECK(IsSourceUrlTemplate("https://h/{file}#L{line}"));
  CHECK(IsSourceUrlTemplate("http://h/{file}"));
  CHECK_FALSE(IsSourceUrlTemplate("https://h/blob/main/"));
  CHECK_FALSE(IsSourceUrlTemplate("file:///{file}"));
  CHECK(SourceRoot("/home/me/proj") == "/home/me/proj");
  CHECK(SourceRoot("/home/me/proj//") == "/home/me/proj");
  for (const char* bad : {"", "/", "///", "rel", "/a/../b", "/a/./b", "/a//b", "/a/.."}) {
    CAPTURE(bad);
    CHECK_FALSE(SourceRoot(bad));
  }
}
