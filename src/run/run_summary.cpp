#include "run/run_summary.hpp"

namespace ssetail {

void FillCompareWith(std::vector<RunSummary>& runs) {
  // At most a few hundred runs are listed: a pass over them for each is cheap and plain.
  for (RunSummary& run : runs) {
    const RunSummary* best = nullptr;
    for (const RunSummary& other : runs) {
      const bool green = other.state == "exited" && other.exit_code == 0;
      if (&other == &run || !green || other.title != run.title ||
          other.started_ms >= run.started_ms) {
        continue;
      }
      if (best == nullptr || other.started_ms > best->started_ms) best = &other;
    }
    run.compare_with = best != nullptr ? std::optional(best->id) : std::nullopt;
  }
}

}  // namespace ssetail
