#!/usr/bin/env python3
"""bench/run scenario 15 (SPEC §14): `ssetail --view B --compare A` over two saved
1,000,000-line runs, GET /compare timed once B has been read, ssetail's RSS. Prints one JSON
line of figures (no "wall_s": report.py shows them in scenario 15's row only).

  compare_scenario.py --ssetail BIN --label s15.hundred --kind hundred --work DIR
kinds: hundred (100 lines differ), everywhere (`seq 1000000` vs `seq 2 2 2000000`)."""

import argparse
import http.client
import json
import os
import re
import subprocess
import sys
import time

ap = argparse.ArgumentParser()
ap.add_argument("--ssetail", required=True)
ap.add_argument("--label", required=True)
ap.add_argument("--kind", choices=("hundred", "everywhere"), required=True)
ap.add_argument("--work", required=True)
args = ap.parse_args()

COMMANDS = {
    "hundred": (["seq", "1000000"],
                ["sh", "-c", "seq 1000000 | awk '{ if (NR % 10000 == 0) print \"changed \" NR; "
                             "else print }'"]),
    "everywhere": (["seq", "1000000"], ["seq", "2", "2", "2000000"]),
}


def save(path, command):
    if os.path.exists(path):
        return
    subprocess.run([args.ssetail, "-q", "--port", "0", "--save", path, "--"] + command,
                   check=True, capture_output=True, timeout=300)


def status_kb(pid, key):
    with open(f"/proc/{pid}/status") as f:
        m = re.search(rf"^{key}:\s+(\d+) kB", f.read(), re.M)
    return int(m.group(1)) if m else None


def get(port, path, timeout=120):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path)
    body = conn.getresponse().read()
    conn.close()
    return body


a = os.path.join(args.work, f"compare-{args.kind}-a.jsonl")
b = os.path.join(args.work, f"compare-{args.kind}-b.jsonl")
save(a, COMMANDS[args.kind][0])
save(b, COMMANDS[args.kind][1])

started = time.monotonic()
proc = subprocess.Popen([args.ssetail, "--port", "0", "--view", b, "--compare", a],
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
out = {"label": args.label}
try:
    line = proc.stderr.readline().decode()
    m = re.search(r"serving http://[^:]+:(\d+)/", line)
    if not m:
        raise SystemExit(f"compare_scenario: no serving line: {line!r}")
    port = int(m.group(1))
    out["startup_s"] = time.monotonic() - started  # --compare's file read whole
    deadline = time.monotonic() + 120
    while json.loads(get(port, "/status"))["state"] != "exited":
        if time.monotonic() > deadline:
            raise SystemExit("compare_scenario: B was not read in 120 s")
        time.sleep(0.05)
    out["rss_before_kb"] = status_kb(proc.pid, "VmRSS")
    t0 = time.monotonic()
    body = get(port, "/compare")
    out["compare_s"] = time.monotonic() - t0
    t0 = time.monotonic()
    get(port, "/compare")
    out["again_s"] = time.monotonic() - t0  # a finished comparison: only the writing
    lines = body.decode().splitlines()
    out["hunks"] = len(lines) - 2
    out["body_mib"] = len(body) / (1 << 20)
    out["complete"] = json.loads(lines[-1])["complete"]
    out["peak_rss_kb"] = status_kb(proc.pid, "VmHWM")
    out["rss_after_kb"] = status_kb(proc.pid, "VmRSS")
finally:
    proc.terminate()
    proc.wait(30)
print(json.dumps(out))
sys.stdout.flush()
