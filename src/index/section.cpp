#include "index/section.hpp"

namespace ssetail::index {

std::optional<SectionDialects> ParseSectionDialects(std::string_view list, bool under_buildkite,
                                                    std::string* why) {
  if (list == "auto") return SectionDialects{.buildkite = under_buildkite};
  if (list == "none") return SectionDialects{false, false, false};
  SectionDialects dialects{false, false, false};
  while (true) {
    const std::size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    if (name == "github") {
      dialects.github = true;
    } else if (name == "gitlab") {
      dialects.gitlab = true;
    } else if (name == "buildkite") {
      dialects.buildkite = true;
    } else {
      if (why) {
        *why = "--sections: unknown dialect '" + std::string(name) +
               "' (auto, none, or a list of github, gitlab, buildkite)";
      }
      return std::nullopt;
    }
    if (comma == std::string_view::npos) return dialects;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace ssetail::index
