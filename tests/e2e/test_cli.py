"""SPEC §1: options, the serving line, exit statuses, stdin mode, echo."""

import os
import pty
import subprocess
import tempfile
import unittest

from harness import SSETAIL, Ssetail, lines_of


def run(args, **kw):
    return subprocess.run([SSETAIL] + args, capture_output=True, timeout=30, **kw)


class ExitStatus(unittest.TestCase):
    def test_command_status_is_passed_through(self):
        for code in (0, 3, 255):
            with self.subTest(code=code):
                r = run(["--port", "0", "--quiet", "--", "sh", "-c", f"exit {code}"])
                self.assertEqual(r.returncode, code)

    def test_death_by_signal_is_128_plus_n_and_exit_15_is_not_sigterm(self):
        with Ssetail(["--linger", "--", "sh", "-c", "kill -TERM $$"]) as s:
            _, events = s.events()
            self.assertEqual(events[-1].json()["signal"], "SIGTERM")
            self.assertIsNone(events[-1].json()["code"])
        r = run(["--port", "0", "-q", "sh", "-c", "kill -TERM $$"])
        self.assertEqual(r.returncode, 143)
        with Ssetail(["--linger", "--", "sh", "-c", "exit 15"]) as s:
            _, events = s.events()
            self.assertEqual(events[-1].json()["code"], 15)
            self.assertIsNone(events[-1].json()["signal"])

    def test_not_found_is_127(self):
        r = run(["--port", "0", "--", "no-such-command-xyz"])
        self.assertEqual(r.returncode, 127)
        self.assertIn(b"no-such-command-xyz", r.stderr)
        self.assertEqual(r.stderr.count(b"\n"), 1)
        self.assertEqual(run(["--port", "0", "./no/such/path"]).returncode, 127)

    def test_not_executable_is_126(self):
        with tempfile.TemporaryDirectory() as d:
            script = os.path.join(d, "script.sh")
            with open(script, "w") as f:
                f.write("#!/bin/sh\necho hi\n")
            self.assertEqual(run(["--port", "0", script]).returncode, 126)
            self.assertEqual(run(["--port", "0", d]).returncode, 126)
            bad = os.path.join(d, "bad.sh")
            with open(bad, "w") as f:
                f.write("#!/no/such/interpreter\n")
            os.chmod(bad, 0o755)
            r = run(["--port", "0", bad])
            self.assertEqual(r.returncode, 126, r.stderr)

    def test_bad_options_are_125_with_one_line(self):
        for args in (["--bogus", "true"], ["--port", "70000", "true"], ["--port"],
                     ["--history-bytes", "many", "true"], ["--linger=-2", "true"],
                     ["--source-url", "https://h/{file}", "--source-root", "rel", "true"],
                     ["--source-root", "/home/me/proj", "true"]):
            with self.subTest(args=args):
                r = run(args)
                self.assertEqual(r.returncode, 125)
                self.assertEqual(r.stderr.count(b"\n"), 1, r.stderr)
                self.assertTrue(r.stderr.startswith(b"ssetail: "), r.stderr)

    def test_port_in_use_is_125(self):
        with Ssetail(["--linger", "--", "true"]) as first:
            r = run(["--port", str(first.port), "true"])
            self.assertEqual(r.returncode, 125)
            self.assertIn(b"--port 0", r.stderr)

    def test_help_and_version(self):
        r = run(["--help"])
        self.assertEqual(r.returncode, 0)
        self.assertIn(b"--linger", r.stdout)
        self.assertIn(b"ssetail -- make", r.stdout)
        r = run(["--version"])
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, rb"^ssetail \d+\.\d+\.\d+")


class ServingLine(unittest.TestCase):
    def test_exactly_one_line_before_the_command_starts(self):
        r = run(["--port", "0", "--", "sh", "-c", "echo from-child >&2"])
        lines = r.stderr.decode().splitlines()
        self.assertRegex(lines[0], r"^ssetail: serving http://127\.0\.0\.1:\d+/$")
        self.assertEqual(lines[1:], ["from-child"])

    def test_port_zero_picks_a_real_port(self):
        with Ssetail(["--linger", "--", "true"]) as s:
            self.assertGreater(s.port, 0)
            resp, _ = s.get("/status")
            self.assertEqual(resp.status, 200)

    def test_the_command_may_follow_without_double_dash(self):
        with Ssetail(["--linger", "sh", "-c", "echo $1 $2", "x", "-p", "7"]) as s:
            _, events = s.events()
            self.assertEqual(lines_of(events), ["-p 7"])


class Echo(unittest.TestCase):
    def test_output_is_echoed_unchanged_to_the_same_stream(self):
        cmd = ["sh", "-c", r"printf 'out\r\nraw\001\377 bytes'; printf 'err\n' >&2"]
        s = Ssetail(["--"] + cmd, quiet=False)
        self.assertEqual(s.wait(), 0)
        self.assertEqual(s.stdout(), b"out\r\nraw\x01\xff bytes")
        self.assertEqual(s.stderr(), b"err\n")

    def test_quiet_echoes_nothing(self):
        s = Ssetail(["--", "sh", "-c", "echo out; echo err >&2"], quiet=True)
        self.assertEqual(s.wait(), 0)
        self.assertEqual(s.stdout(), b"")
        self.assertEqual(s.stderr(), b"")


class StdinMode(unittest.TestCase):
    def test_stdin_is_one_stdout_stream_ending_with_code_0(self):
        r, w = os.pipe()
        s = Ssetail(["--linger"], stdin=r)
        os.close(r)
        os.write(w, b"first\nsecond\nno newline")
        os.close(w)
        _, events = s.events()
        s.stop()
        start = events[0].json()
        self.assertIsNone(start["command"])
        self.assertEqual(lines_of(events), ["first", "second", "no newline"])
        self.assertEqual(events[-1].type, "exit")
        self.assertEqual(events[-1].json()["code"], 0)

    def test_stdin_from_a_regular_file(self):
        with tempfile.TemporaryFile() as f:
            f.write(b"".join(b"%d\n" % i for i in range(1000)))
            f.seek(0)
            r = subprocess.run([SSETAIL, "--port", "0"], stdin=f, capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout.count(b"\n"), 1000)

    def test_stdin_mode_exits_0_and_echoes(self):
        r = subprocess.run([SSETAIL, "--port", "0"], input=b"a\nb\n", capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 0)
        self.assertEqual(r.stdout, b"a\nb\n")

    def test_no_command_and_a_terminal_on_stdin_is_125(self):
        leader, follower = pty.openpty()
        try:
            r = subprocess.run([SSETAIL, "--port", "0"], stdin=follower, capture_output=True,
                               timeout=30)
        finally:
            os.close(leader)
            os.close(follower)
        self.assertEqual(r.returncode, 125)
        self.assertIn(b"stdin is a terminal", r.stderr)


if __name__ == "__main__":
    unittest.main()
