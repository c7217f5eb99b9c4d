#include "ci_environment.hpp"

#include <array>
#include <cstdlib>
#include <optional>
#include <string_view>

#include "source_link_rules.hpp"

namespace ssetail {

namespace {

constexpr std::array<const char*, 14> kVariables = {
    "GITHUB_ACTIONS",   "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA",
    "GITHUB_WORKSPACE", "GITHUB_WORKFLOW",   "GITHUB_JOB",        "GITLAB_CI",
    "CI_PROJECT_URL",   "CI_COMMIT_SHA",     "CI_PROJECT_DIR",    "CI_JOB_NAME",
    "BUILDKITE",        "BUILDKITE_LABEL"};

std::string Get(const Environment& env, std::string_view name) {
  const auto it = env.find(name);
  return it != env.end() ? it->second : std::string();
}

bool IsTrue(const Environment& env, std::string_view name) {
  return Get(env, name) == "true";
}

// The template, when every part is there and the result is one.
std::string Template(const std::string& base, const std::string& path, const std::string& sha) {
  if (base.empty() || path.empty() || sha.empty()) return {};
  std::string url = base;
  while (!url.empty() && url.back() == '/') url.pop_back();
  url += path + sha + "/{file}#L{line}";
  return IsSourceUrlTemplate(url) ? url : std::string();
}

std::vector<std::string> Roots(const std::string& workspace) {
  const std::optional<std::string> root = SourceRoot(workspace);
  return root ? std::vector<std::string>{*root} : std::vector<std::string>{};
}

}  // namespace

Environment CiEnvironment() {
  Environment env;
  for (const char* name : kVariables) {
    if (const char* value = std::getenv(name)) env.emplace(name, value);
  }
  return env;
}

CiDefaults CiDefaultsFrom(const Environment& env) {
  CiDefaults ci;
  ci.buildkite = IsTrue(env, "BUILDKITE");
  ci.github_actions = IsTrue(env, "GITHUB_ACTIONS");
  if (ci.github_actions) {
    const std::string repository = Get(env, "GITHUB_REPOSITORY");
    ci.source_url =
        Template(Get(env, "GITHUB_SERVER_URL"),
                 repository.empty() ? "" : "/" + repository + "/blob/", Get(env, "GITHUB_SHA"));
    ci.source_roots = Roots(Get(env, "GITHUB_WORKSPACE"));
    const std::string workflow = Get(env, "GITHUB_WORKFLOW");
    const std::string job = Get(env, "GITHUB_JOB");
    ci.title = workflow.empty() || job.empty() ? workflow + job : workflow + " / " + job;
  } else if (IsTrue(env, "GITLAB_CI")) {
    ci.source_url = Template(Get(env, "CI_PROJECT_URL"), "/-/blob/", Get(env, "CI_COMMIT_SHA"));
    ci.source_roots = Roots(Get(env, "CI_PROJECT_DIR"));
    ci.title = Get(env, "CI_JOB_NAME");
  } else if (ci.buildkite) {
    ci.title = Get(env, "BUILDKITE_LABEL");  // no repository URL it can know
  }
  return ci;
}

}  // namespace ssetail
