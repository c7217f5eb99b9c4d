#include "redisformat/lease.hpp"

#include <algorithm>

namespace ssetail {

namespace {
// Past the lease's expiry before a reader looks again: Redis expires keys lazily and in a
// background cycle (up to ~100 ms late), and the reader's round trip takes a moment too.
constexpr std::chrono::milliseconds kExpiryMargin{150};
}  // namespace

Lease LeaseOfPttl(long long pttl) {
  if (pttl == -1) return {Lease::Forever, kLeaseTtl};
  if (pttl < 0) return {Lease::Gone, {}};
  return {Lease::Alive, std::chrono::milliseconds(pttl)};
}

ReadState Later(ReadState state, std::chrono::milliseconds elapsed) {
  elapsed = std::max(elapsed, std::chrono::milliseconds(0));
  if (state.lease.kind == Lease::Alive) {
    state.lease.left = std::max(state.lease.left - elapsed, std::chrono::milliseconds(0));
  }
  if (state.unknown_for) *state.unknown_for += elapsed;
  return state;
}

std::chrono::milliseconds ReadBlock(const ReadState& state) {
  if (state.lease.kind != Lease::Gone) {
    return std::clamp(state.lease.left, std::chrono::milliseconds(0), kLeaseTtl) + kExpiryMargin;
  }
  if (!state.unknown_for) return std::chrono::milliseconds(0);
  return std::max(kLeaseTtl - *state.unknown_for, std::chrono::milliseconds(0)) + kExpiryMargin;
}

bool IsLost(const ReadState& state) {
  return state.lease.kind == Lease::Gone && (!state.unknown_for || *state.unknown_for >= kLeaseTtl);
}

RunState StateOf(std::string_view meta_state, bool lease_alive) {
  if (meta_state == "exited") return RunState::Exited;
  return lease_alive ? RunState::Running : RunState::Lost;
}

std::string_view RunStateName(RunState state) {
  switch (state) {
    case RunState::Running:
      return "running";
    case RunState::Exited:
      return "exited";
    case RunState::Lost:
      return "lost";
  }
  return "running";
}

}  // namespace ssetail
