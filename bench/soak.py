#!/usr/bin/env python3
"""Soak: ssetail serving a steady run for a long time to clients that come and go.

A command prints numbered, timestamped lines ("N UNIX_TIME") at --rate lines/s; --clients
readers follow /events, each leaving at random moments (exponential intervals, mean
--reconnect-mean s; half of the time with RST) and coming back with Last-Event-ID. Every
--sample s the script records ssetail's RSS, descriptors, CPU time, threads and lines.

At the end (after --minutes) the command stops, every reader must receive `exit`, and:
- every reader got every number exactly once, in order (0 lost, 0 duplicated);
- RSS drift after the warm-up (--warmup s) is at most --max-drift-mib (max - min of the
  samples taken after it);
- the descriptor count, less the open streams, is constant (readers that are between two
  connections at a sample change the raw count; /status says how many streams are open);
- CPU per line is flat: CPU seconds per 10,000 lines in each whole minute after the
  warm-up stay within --cpu-spread (max/min) of each other.
It prints a table per minute and the verdicts; the exit status is 0 only if all hold.

    python3 bench/soak.py                     # 10 minutes, build/ssetail
    python3 bench/soak.py --minutes 3 --binary build/ssetail

Standard library only; the stream parsing lives in tests/e2e/faults_support.py.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from faults_support import (Client, ReaderPool, Server, cpu_seconds, fd_count,  # noqa: E402
                            paced_writer, rss_bytes, thread_count)

MIB = 1 << 20


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--binary", default=os.environ.get("SSETAIL",
                                                      os.path.join(ROOT, "build/ssetail")))
    p.add_argument("--rate", type=int, default=2000, help="lines per second")
    p.add_argument("--clients", type=int, default=100)
    p.add_argument("--reconnect-mean", type=float, default=20.0,
                   help="mean seconds between a reader's reconnections")
    p.add_argument("--history", type=int, default=60000,
                   help="ssetail --history (events); 30 s of lines at 2000/s")
    p.add_argument("--warmup", type=float, default=60.0, help="seconds")
    p.add_argument("--sample", type=float, default=5.0, help="seconds between samples")
    p.add_argument("--max-drift-mib", type=float, default=2.0)
    p.add_argument("--cpu-spread", type=float, default=1.5,
                   help="max/min of CPU per 10k lines over the minutes after the warm-up")
    return p.parse_args()


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main():
    args = parse_args()
    duration = args.minutes * 60
    tmp = tempfile.TemporaryDirectory()
    stop = os.path.join(tmp.name, "stop")
    server = Server(args.binary, ["--linger", "--history", str(args.history),
                                  "--max-clients", str(args.clients + 50), "--",
                                  *paced_writer(args.rate, stop=stop, stamp=True)])
    pid = server.pid
    print(f"soak: {args.binary} pid {pid} port {server.port}; {args.rate} lines/s, "
          f"{args.clients} readers reconnecting every {args.reconnect_mean:.0f} s on average, "
          f"{args.minutes:g} min (warm-up {args.warmup:.0f} s)", flush=True)
    readers = [Client(reconnect_mean=args.reconnect_mean, stamped=True)
               for _ in range(args.clients)]
    pool = ReaderPool(server.port, readers).start()

    samples = []  # (t, rss, fds, streams, cpu, lines, threads)
    started = time.monotonic()
    failures = []

    def sample():
        """Records one sample; False if ssetail or the readers are gone."""
        if not server.alive():
            failures.append("ssetail died")
            return False
        if pool.crash:
            failures.append(f"reader thread crashed: {pool.crash}")
            return False
        now = time.monotonic()
        fds, rss, cpu, threads = fd_count(pid), rss_bytes(pid), cpu_seconds(pid), thread_count(pid)
        status = server.status(timeout=10)
        samples.append((now - started, rss, fds, status["clients"], cpu,
                        status["stdout_lines"], threads))
        return True

    try:
        for i in range(int(duration // args.sample) + 1):
            time.sleep(max(0.0, started + i * args.sample - time.monotonic()))
            if not sample():
                break
        run_seconds = time.monotonic() - started
        open(stop, "w").close()
        if not pool.wait_done(120):
            failures.append("not every reader received exit within 120 s")
        pool.stop()
        status = server.status()
        total = status["stdout_lines"]
        code = server.stop()
        if code != 0:
            failures.append(f"ssetail exited with {code}")
    finally:
        server.kill()
        tmp.cleanup()

    # --- per-minute table
    print()
    print("minute | lines   | CPU s | CPU s/10k lines | RSS MiB min-max | fds min-max | "
          "fds-streams | threads | reconnects | delay p50/p99 ms")
    print("-------|---------|-------|-----------------|-----------------|-------------|"
          "-------------|---------|------------|-----------------")
    per_minute = []
    minutes = int(run_seconds // 60 + (1 if run_seconds % 60 > 1 else 0))
    reconnect_times = [when - started for c in readers for when in c.reconnected_at]
    for m in range(minutes):
        lo, hi = m * 60, (m + 1) * 60
        inside = [s for s in samples if lo <= s[0] < hi + 0.001]
        after = [s for s in samples if s[0] >= hi - 0.001]
        if not inside:
            continue
        first = inside[0]
        last = after[0] if after else inside[-1]
        lines = last[5] - first[5]
        cpu = last[4] - first[4]
        per10k = cpu / lines * 10000 if lines else float("nan")
        whole = bool(after) and first[0] - lo < args.sample + 0.5
        per_minute.append((m, lines, cpu, per10k, whole))
        delays = [d * 1000 for c in readers for when, d in c.delays if lo <= when - started < hi]
        reconnects = sum(1 for when in reconnect_times if lo <= when < hi)
        rss = [s[1] / MIB for s in inside]
        fds = [s[2] for s in inside]
        rest = [s[2] - s[3] for s in inside]
        threads = [s[6] for s in inside]
        print(f"{m + 1:6d} | {lines:7d} | {cpu:5.2f} | {per10k:15.3f} | "
              f"{min(rss):7.1f}-{max(rss):<7.1f} | {min(fds):5d}-{max(fds):<5d} | "
              f"{min(rest):5d}-{max(rest):<5d} | {min(threads):3d}-{max(threads):<3d} | "
              f"{reconnects:10d} | {percentile(delays, 0.5):6.1f}/{percentile(delays, 0.99):<6.1f}")

    # --- verdicts
    print()
    lost = sum(c.numbering.lost for c in readers)
    duplicated = sum(c.numbering.duplicated for c in readers)
    bad = [(i, c.numbering.verdict(total)) for i, c in enumerate(readers)
           if c.numbering.verdict(total) or c.exit_data is None or c.error]
    reconnections = sum(c.connections - 1 for c in readers)
    print(f"lines: {total} in {run_seconds:.0f} s ({total / run_seconds:.0f}/s); readers: "
          f"{args.clients}, reconnections {reconnections}; lost {lost}, duplicated "
          f"{duplicated}, readers with a problem {len(bad)}")
    for i, verdict in bad[:5]:
        print(f"  reader {i}: {verdict or readers[i].summary()}")
    if bad or lost or duplicated:
        failures.append(f"{len(bad)} readers did not get every line exactly once")

    steady = [s for s in samples if s[0] >= args.warmup]
    if len(steady) >= 2:
        rss = [s[1] for s in steady]
        drift = (max(rss) - min(rss)) / MIB
        end_drift = (steady[-1][1] - steady[0][1]) / MIB
        print(f"RSS after warm-up: {min(rss) / MIB:.2f}-{max(rss) / MIB:.2f} MiB over "
              f"{len(steady)} samples: spread {drift:.2f} MiB, last-first {end_drift:+.2f} MiB "
              f"(limit {args.max_drift_mib} MiB)")
        if drift > args.max_drift_mib:
            failures.append(f"RSS drift {drift:.2f} MiB")
        rest = [s[2] - s[3] for s in steady]
        raw = [s[2] for s in steady]
        print(f"descriptors after warm-up: {min(raw)}-{max(raw)}; less open streams: "
              f"{min(rest)}-{max(rest)}")
        if max(rest) - min(rest) > 3:
            failures.append(f"descriptors less streams vary by {max(rest) - min(rest)}")
    else:
        failures.append("too short to judge drift (no samples after the warm-up)")

    flat = [row for row in per_minute if row[4] and row[0] * 60 >= args.warmup - 0.001]
    if len(flat) >= 2:
        values = [row[3] for row in flat]
        spread = max(values) / min(values)
        print(f"CPU per 10,000 lines after warm-up: {min(values):.3f}-{max(values):.3f} s "
              f"(max/min {spread:.2f}, limit {args.cpu_spread}); mean "
              f"{statistics.mean(values):.3f} s")
        if spread > args.cpu_spread:
            failures.append(f"CPU per line not flat: max/min {spread:.2f}")
    else:
        print("CPU per line: fewer than two whole minutes after the warm-up")

    print()
    if failures:
        print("SOAK FAILED: " + "; ".join(failures))
        return 1
    print("SOAK PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
