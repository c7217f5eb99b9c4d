"""SPEC §1 "Signals and lifetime": forwarding, escalation, process groups, hygiene."""

import os
import signal
import subprocess
import tempfile
import time
import unittest

from harness import (SSETAIL, Ssetail, command_pid, comms, group_members, is_alive, lines_of,
                     wait_for)


class Forwarding(unittest.TestCase):
    options = ()  # test_pty runs the same tests with ("--pty",)

    def check_forwarded(self, sig):
        s = Ssetail([*self.options, "--", "sh", "-c", "echo ready; sleep 30 & sleep 30; echo never"])
        self.assertTrue(wait_for(lambda: b"ready" in s.get("/log")[1], 30), "no ready line")
        pgid = command_pid(s)
        # Both sleeps exec'd: a child forked but not yet exec'd may still catch SIGINT as sh.
        self.assertTrue(wait_for(lambda: comms(group_members(pgid)).count("sleep") == 2))
        s.signal(sig)
        self.assertEqual(s.wait(), 128 + sig)
        self.assertEqual(group_members(pgid), [])

    def test_sigterm_reaches_the_whole_group(self):
        self.check_forwarded(signal.SIGTERM)

    def test_sigint_reaches_the_whole_group(self):
        self.check_forwarded(signal.SIGINT)

    def test_sighup_reaches_the_whole_group(self):
        self.check_forwarded(signal.SIGHUP)

    def test_second_sigint_kills(self):
        s = Ssetail([*self.options, "--", "sh", "-c",
                     "trap 'echo ignored' INT; echo ready; while :; do sleep 0.05; done"])
        self.assertTrue(wait_for(lambda: b"ready" in s.get("/log")[1], 30), "no ready line")
        s.signal(signal.SIGINT)
        self.assertTrue(wait_for(lambda: b"ignored" in s.get("/log")[1], 30),
                        "the first SIGINT did not reach the command's trap")
        self.assertIsNone(s.proc.poll())
        s.signal(signal.SIGINT)
        self.assertEqual(s.wait(10), 128 + signal.SIGKILL)


class Escalation(unittest.TestCase):
    def test_sigkill_after_10_seconds(self):
        s = Ssetail(["--", "sh", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"])
        self.assertTrue(wait_for(lambda: b"ready" in s.get("/log")[1], 30), "no ready line")
        started = time.monotonic()
        s.signal(signal.SIGTERM)
        code = s.wait(30)
        elapsed = time.monotonic() - started
        self.assertEqual(code, 128 + signal.SIGKILL)
        self.assertGreater(elapsed, 9)
        self.assertLess(elapsed, 15)


class Lifetime(unittest.TestCase):
    def test_a_signal_during_the_run_ends_lingering_too(self):
        s = Ssetail(["--linger", "--", "sh", "-c", "echo ready; sleep 30"])
        self.assertTrue(wait_for(lambda: b"ready" in s.get("/log")[1], 30), "no ready line")
        s.signal(signal.SIGTERM)
        self.assertEqual(s.wait(10), 128 + signal.SIGTERM)


    def test_a_grandchild_holding_the_pipes_does_not_keep_ssetail_alive(self):
        started = time.monotonic()
        s = Ssetail(["--", "sh", "-c", "sleep 60 & echo done"])
        code = s.wait(20)
        self.assertEqual(code, 0)
        self.assertLess(time.monotonic() - started, 6)

    def test_no_process_of_the_group_outlives_ssetail(self):
        with tempfile.TemporaryDirectory() as d:
            pidfile = os.path.join(d, "pid")
            s = Ssetail(["--", "sh", "-c", f"sleep 60 & echo $! > {pidfile}; exit 0"])
            self.assertEqual(s.wait(20), 0)
            with open(pidfile) as f:
                pid = int(f.read())
            self.assertTrue(wait_for(lambda: not is_alive(pid), 5))

    def test_the_command_gets_sigterm_when_ssetail_is_killed(self):
        with tempfile.TemporaryDirectory() as d:
            mark = os.path.join(d, "got-term")
            s = Ssetail(["--", "sh", "-c",
                         f"trap 'echo term > {mark}; exit 0' TERM; echo ready; while :; do sleep 0.05; done"])
            self.assertTrue(wait_for(lambda: b"ready" in s.get("/log")[1], 30), "no ready line")
            s.signal(signal.SIGKILL)
            s.wait()
            self.assertTrue(wait_for(lambda: os.path.exists(mark), 5))

    def test_sigterm_ends_lingering_while_a_client_stops_reading_a_response(self):
        # Issue 19, "every way ssetail can wait": a client that stops reading in the middle
        # of /log holds a request thread in a write; SIGTERM still ends ssetail (the server
        # waits 500 ms for its requests, then the process ends anyway).
        from harness import open_raw
        s = Ssetail(["--linger", "--", "seq", "2000000"])
        self.assertTrue(wait_for(lambda: b'"exited"' in s.get("/status")[1], 60))
        stuck = open_raw(s.port, b"GET /log HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", rcvbuf=4096)
        try:
            time.sleep(1)  # the answer fills the socket's buffers, then its writer waits
            s.signal(signal.SIGTERM)
            self.assertEqual(s.wait(20), 0)
        finally:
            stuck.close()


class ChildHygiene(unittest.TestCase):
    def run_child(self, script):
        with Ssetail(["--linger", "--", "sh", "-c", script]) as s:
            _, events = s.events()
            return lines_of(events), events

    def test_only_descriptors_0_1_2_are_inherited(self):
        # A client connection is open while the child starts: it must not leak into it.
        lines, _ = self.run_child("sleep 0.3; exec ls /proc/self/fd")
        self.assertEqual(sorted(lines), ["0", "1", "2", "3"])  # 3: ls's own directory

    def test_stdin_is_dev_null(self):
        lines, _ = self.run_child("readlink /proc/self/fd/0")
        self.assertEqual(lines, ["/dev/null"])

    def test_default_dispositions_and_empty_mask(self):
        lines, _ = self.run_child("grep -E '^(SigBlk|SigIgn)' /proc/self/status")
        self.assertEqual(lines, ["SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000"])

    def test_sigpipe_kills_the_writer_as_usual(self):
        lines, _ = self.run_child("yes | head -n 1; echo status ${PIPESTATUS:-}")
        self.assertEqual(lines[0], "y")
        _, events = self.run_child("(yes; echo code=$? >&2) | head -n 1")
        self.assertIn("code=141", [e.data for e in events if e.type == "stderr"])

    def test_own_process_group(self):
        lines, events = self.run_child("ps -o pgid= -p $$")
        self.assertEqual(int(lines[0]), events[0].json()["pid"])

    def test_ignored_signals_of_ssetail_are_not_inherited(self):
        r = subprocess.run(["sh", "-c", f"trap '' HUP INT; exec {SSETAIL} --port 0 --linger=0 -- "
                            "grep SigIgn /proc/self/status"], capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, b"SigIgn:\t0000000000000000\n")


if __name__ == "__main__":
    unittest.main()
