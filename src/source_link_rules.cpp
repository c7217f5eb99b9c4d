#include "source_link_rules.hpp"

namespace ssetail {

bool IsSourceUrlTemplate(std::string_view url) {
  const bool web = url.starts_with("https://") || url.starts_with("http://");
  return web && url.find("{file}") != std::string_view::npos;
}

std::optional<std::string> SourceRoot(std::string_view dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
  if (dir.size() < 2 || dir.front() != '/') return std::nullopt;
  for (std::string_view rest = dir.substr(1);;) {
    const std::size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment == "." || segment == "..") return std::nullopt;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return std::string(dir);
}

}  // namespace ssetail
