// A run's lease (SPEC §15): the key PREFIX:run:RUN:alive, which its publisher sets with a
// TTL of 15 s and sets again every 5 s while it runs, and deletes once the run's end is in
// Redis. A run whose meta does not say `exited` and whose lease is gone is `lost`: its
// publisher died (SIGKILL, a lost host) or could not reach Redis for 15 s. Pure: what the
// publisher and the relay do with the key, decided here and unit-tested.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace ssetail {

inline constexpr std::chrono::milliseconds kLeaseTtl{15000};
inline constexpr std::chrono::milliseconds kLeaseRefresh{5000};

// A lease as PTTL tells it.
struct Lease {
  enum Kind {
    Gone,     // no key: the publisher is gone (or ended and deleted it)
    Alive,    // `left` more before it expires
    Forever,  // a key without a TTL (not the publisher's doing): alive until deleted
  };
  Kind kind = Gone;
  std::chrono::milliseconds left{0};
};

// PTTL's reply: -2 no key, -1 no TTL, else the milliseconds left.
Lease LeaseOfPttl(long long pttl);

// What a relay's reader of a run knows after a read: the lease, whether Redis has the run's
// meta hash, and for how long it has lacked it (nothing: it has it). Redis without the meta
// is a Redis that restarted empty (or was flushed): its publisher, if alive, refills it
// within its backoff, lease first.
struct ReadState {
  Lease lease;
  std::optional<std::chrono::milliseconds> unknown_for;
};

// The same `elapsed` later: the lease has that much less left (at most zero), Redis has
// not known the run for that much longer.
ReadState Later(ReadState state, std::chrono::milliseconds elapsed);

// How long the next blocking read may wait for new entries (from the state as it is now:
// see Later): until just after the lease would
// expire if nobody set it again (it then looks again), at most kLeaseTtl and a bit; while
// Redis does not know the run, until it has not known it for kLeaseTtl; zero (do not block)
// once the lease is gone from a run Redis knows. Never a poll: a quiet live run costs one
// round trip per lease period.
std::chrono::milliseconds ReadBlock(const ReadState& state);

// Whether the run is lost, after a read that found nothing new: its lease is gone, and Redis
// knows the run (or has not known it for kLeaseTtl: its publisher did not come back).
bool IsLost(const ReadState& state);

enum class RunState { Running, Exited, Lost };

// The state of a run from its meta's `state` and its lease.
RunState StateOf(std::string_view meta_state, bool lease_alive);

// "running", "exited", "lost".
std::string_view RunStateName(RunState state);

}  // namespace ssetail
