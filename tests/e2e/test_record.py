"""SPEC §8-§9: the run record (--save, --record-max, --no-record, replay from disk, write
errors, a stalled disk) and serving a record with --view."""

import gzip
import json
import os
import resource
import signal
import subprocess
import tempfile
import time
import unittest

from harness import SSETAIL, Ssetail, lines_of, output, wait_for


def ids(events):
    return [int(e.id.rsplit(".", 1)[1]) for e in events if e.id]


def read_record(path):
    with open(path, "rb") as f:
            # A capped record starts with a hole (NUL bytes) where its dropped lines were.
        return [json.loads(line.strip(b"\0")) for line in f.read().split(b"\n") if line.strip(b"\0")]


def status(s):
    return json.loads(s.get("/status")[1])


def run_to_end(s, timeout=60):
    """Waits for the run's `exit` to be published (the record written up to it)."""
    if not wait_for(lambda: status(s)["state"] == "exited", timeout):
        raise AssertionError(f"the run did not end within {timeout} s: {status(s)}")


class LateJoiners(unittest.TestCase):
    def test_must_show_1_every_line_after_the_end_with_a_tiny_history(self):
        with Ssetail(["--history", "1000", "--linger=30", "--", "seq", "300000"]) as s:
            run_to_end(s)
            _, events = s.events(timeout=120)
            self.assertFalse(any(e.type == "gap" for e in events))
            self.assertEqual(lines_of(events), [str(i) for i in range(1, 300001)])
            self.assertEqual(ids(events), list(range(1, 300003)))  # start, lines, exit
            _, log = s.get("/log")
            self.assertEqual(log.count(b"\n"), 300000)
            self.assertEqual(log.split(b"\n")[:2], [b"1", b"2"])
            # The JSON flavour (the page's) from the record: the same ids.
            _, json_events = s.events("/events?format=json", timeout=120)
            self.assertEqual(ids(json_events), list(range(1, 300003)))
            self.assertEqual(json_events[5].json()["text"], "5")
            record = status(s)["record"]
            self.assertEqual((record["events"], record["dropped"]), (300002, 0))
            self.assertIsNone(record["path"])
            self.assertIsNone(record["error"])

    def test_a_resume_from_far_back_continues_from_the_record_without_a_gap(self):
        with Ssetail(["--history", "100", "--linger=30", "--", "seq", "5000"]) as s:
            run_to_end(s)
            run = s.events()[1][0].id.split(".")[0]
            for path, headers in (("/events", {"Last-Event-ID": f"{run}.11"}),
                                  (f"/events?lastEventId={run}.11&format=json", {})):
                _, events = s.events(path, headers)
                self.assertFalse(any(e.type == "gap" for e in events))
                self.assertEqual(ids(events), list(range(12, 5003)))

    def test_no_record_keeps_the_first_release_behaviour(self):
        with Ssetail(["--no-record", "--history", "100", "--linger=30", "--", "seq", "5000"]) as s:
            run_to_end(s)
            _, events = s.events()
            self.assertEqual([e.type for e in events[:2]], ["start", "gap"])
            self.assertEqual(len(lines_of(events)), 100)
            self.assertIsNone(status(s)["record"])

    def test_the_temporary_record_leaves_nothing_in_tmpdir(self):
        with tempfile.TemporaryDirectory() as d:
            env = dict(os.environ, TMPDIR=d)
            with Ssetail(["--linger=30", "--", "seq", "1000"], env=env) as s:
                _, events = s.events()
                self.assertEqual(len(lines_of(events)), 1000)
                self.assertEqual(status(s)["record"]["events"], 1002)
                self.assertEqual(os.listdir(d), [])
            self.assertEqual(os.listdir(d), [])


class Save(unittest.TestCase):
    def test_a_command_line_that_is_not_utf8_is_recorded_repaired(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.jsonl")
            # "\udce9" is the byte 0xE9 on the command line (surrogateescape): not UTF-8.
            with Ssetail(["--save", path, "--linger=30", "--", "echo", "caf\udce9"]) as s:
                run_to_end(s)
            s.wait()
            with open(path, "rb") as f:
                start = json.loads(f.readline().decode("utf-8"))  # strict UTF-8
            self.assertEqual(start["data"]["command"], ["echo", "caf\ufffd"])
            self.assertEqual(start["data"]["title"], "echo caf\ufffd")
            # --view reads it back: the start line is a record line like any other.
            with Ssetail(["--view", path]) as v:
                _, viewed = v.events()
                self.assertEqual(viewed[0].type, "start")
                self.assertEqual(json.loads(viewed[0].data)["command"], ["echo", "caf\ufffd"])
                self.assertEqual(lines_of(viewed), ["caf\ufffd"])
                v.signal(signal.SIGTERM)
                self.assertEqual(v.wait(), 0)

    def test_must_show_2_the_saved_file_and_viewing_it(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.jsonl")
            script = "echo one; printf 'tab\\t\"q\"\\n' >&2; printf '50%%\\r'; echo two; exit 3"
            with Ssetail(["--save", path, "--linger=30", "--", "sh", "-c", script]) as s:
                run_to_end(s)
                _, live = s.events()
                _, live_json = s.events("/events?format=json")
                live_log = s.get("/log")[1]
                self.assertEqual(status(s)["record"]["path"], path)
            self.assertEqual(s.wait(), 3)
            lines = read_record(path)
            self.assertEqual(lines[0]["event"], "start")
            self.assertEqual(lines[0]["data"]["command"], ["sh", "-c", script])
            self.assertEqual(lines[-1]["event"], "exit")
            self.assertEqual(lines[-1]["data"]["code"], 3)
            # `data` is exactly the JSON stream's data; ids are the stream's.
            self.assertEqual([l["id"] for l in lines], [e.id for e in live_json])
            self.assertEqual([l["data"] for l in lines], [e.json() for e in live_json])
            texts = [l["data"]["text"] for l in lines if l["event"] == "stdout"]
            self.assertEqual(texts, ["one", "50%", "two"])
            self.assertTrue(next(l for l in lines if l["data"].get("text") == "50%")["data"]["cr"])
            # --view serves the same events, ids and bytes, in both flavours.
            with Ssetail(["--view", path]) as v:
                _, viewed = v.events()
                _, viewed_json = v.events("/events?format=json")
                self.assertEqual([(e.id, e.type, e.data) for e in viewed],
                                 [(e.id, e.type, e.data) for e in live])
                self.assertEqual([(e.id, e.data) for e in viewed_json],
                                 [(e.id, e.data) for e in live_json])
                st = status(v)
                self.assertEqual(st["state"], "exited")
                self.assertEqual(st["exit"]["code"], 3)
                self.assertEqual(st["command"], ["sh", "-c", script])
                self.assertEqual(v.get("/log")[1], live_log)
                self.assertEqual(sorted(live_log.replace(b"\r", b"\n").split(b"\n")),
                                 sorted([b"", b"one", b"50%", b"two", b'tab\t"q"']))
                v.signal(signal.SIGTERM)
                self.assertEqual(v.wait(), 0)

    def test_the_start_line_is_in_the_file_before_the_serving_line(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.jsonl")
            with Ssetail(["--save", path, "--", "sleep", "5"]):
                self.assertEqual(read_record(path)[0]["event"], "start")

    def test_must_show_3_sigkill_every_event_a_client_saw_is_in_the_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.jsonl")
            script = "i=0; while :; do i=$((i+1)); echo line$i; sleep 0.001; done"
            s = Ssetail(["--save", path, "--", "sh", "-c", script])
            seen = []
            with s.stream() as stream:
                for event in stream:
                    seen.append(event.id)
                    if len(seen) == 500:
                        s.signal(signal.SIGKILL)
                        break
            self.assertEqual(len(seen), 500, "the stream ended before 500 events")
            self.assertEqual(s.wait(), -signal.SIGKILL)
            in_file = {l["id"] for l in read_record(path)}
            self.assertEqual([i for i in seen if i not in in_file], [])
            # A record without `exit` is served as a running run, and followed.
            with Ssetail(["--view", path]) as v:
                self.assertEqual(status(v)["state"], "running")
                with v.stream() as stream:
                    # range first: zip stops before asking a running stream for one event more
                    got = [e.id for _, e in zip(range(len(seen)), stream)]
                self.assertEqual(got, seen)

    def test_record_max_drops_the_oldest_and_keeps_start(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.jsonl")
            args = ["--save", path, "--record-max", "64K", "--history", "100", "--linger=30",
                    "--", "seq", "20000"]
            with Ssetail(args) as s:
                run_to_end(s)
                record = status(s)["record"]
                self.assertLessEqual(record["bytes"], 64 * 1024 + 200)
                self.assertGreater(record["dropped"], 0)
                self.assertEqual(record["events"] + record["dropped"], 20002)
                _, events = s.events()
                self.assertEqual([e.type for e in events[:2]], ["start", "gap"])
                missed = events[1].json()["missed"]
                self.assertEqual(missed, record["dropped"])
                self.assertEqual(lines_of(events)[-1], "20000")
                self.assertEqual(len(events) - 3, record["events"] - 2)
            # The dropped part is a hole: the file begins with `start`, the kept lines follow.
            stat = os.stat(path)
            self.assertLess(stat.st_blocks * 512, stat.st_size)
            lines = read_record(path)
            self.assertEqual(lines[0]["event"], "start")
            self.assertEqual(lines[-1]["event"], "exit")
            # --view serves the jump over the dropped ids as a gap.
            with Ssetail(["--view", path]) as v:
                _, viewed = v.events()
                self.assertEqual([(e.id, e.type, e.data) for e in viewed],
                                 [(e.id, e.type, e.data) for e in events])


class WriteErrors(unittest.TestCase):
    def test_must_show_4_a_full_file_size_limit(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.jsonl")
            limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (1000000, 1000000))
            args = ["--save", path, "--history", "2000000", "--linger=30", "--", "seq", "1000000"]
            with Ssetail(args, preexec_fn=limit) as s:
                run_to_end(s)
                record = status(s)["record"]
                self.assertIn("File too large", record["error"])
                self.assertEqual(record["events"] + record["dropped"], 1000002)
                _, events = s.events(timeout=120)
                self.assertFalse(any(e.type == "gap" for e in events))
                self.assertEqual(len(lines_of(events)), 1000000)
                s.signal(signal.SIGTERM)
                self.assertEqual(s.wait(), 0)
            warnings = [l for l in s.stderr().decode().splitlines() if "warning" in l]
            self.assertEqual(len(warnings), 1, warnings)
            self.assertIn("record", warnings[0])
            self.assertLessEqual(os.path.getsize(path), 1000000)
            with open(path, "rb") as f:
                json.loads(f.read().split(b"\n")[-2])  # whole lines up to the torn last one

    def test_19_11_a_write_error_warns_after_the_serving_line(self):
        # Scripts read the first stderr line for the port: the harness checks it is the
        # serving line, and fails otherwise.
        with Ssetail(["--save", "/dev/full", "--", "echo", "hi"]) as s:
            self.assertEqual(s.wait(30), 0)
        lines = s.stderr().decode().splitlines()
        self.assertEqual(len([l for l in lines if "record /dev/full: cannot write" in l]), 1, lines)


class View(unittest.TestCase):
    def write(self, d, name, lines, end=b"\n"):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(b"\n".join(lines) + end)
        return path

    START = b'{"id":"r1.1","event":"start","data":{"command":["x"],"pid":1,"started":"s","title":"x"}}'

    def line(self, seq, text, event="stdout"):
        return json.dumps({"id": f"r1.{seq}", "event": event,
                           "data": {"text": text, "t": seq}}).encode()

    def refused(self, args):
        proc = subprocess.run([SSETAIL, "--port", "0"] + args, capture_output=True, timeout=30)
        return proc.returncode, proc.stderr.decode()

    def test_a_file_that_is_not_a_record_is_refused_with_where_and_why(self):
        with tempfile.TemporaryDirectory() as d:
            cases = {
                "missing": (os.path.join(d, "nope"), ":"),
                "empty": (self.write(d, "empty", [], end=b""), "empty"),
                "not json": (self.write(d, "text", [b"hello"]), ":1:"),
                "no start": (self.write(d, "nostart", [self.line(1, "a")]), ":1:"),
                "ids": (self.write(d, "ids", [self.START, self.line(3, "a"), self.line(2, "b")]),
                        ":3: ids do not increase"),
                "bad line": (self.write(d, "bad", [self.START, self.line(2, "a"), b"{"]), ":3:"),
            }
            for name, (path, where) in cases.items():
                with self.subTest(name):
                    code, err = self.refused(["--view", path])
                    self.assertEqual(code, 125, err)
                    self.assertEqual(len(err.splitlines()), 1, err)
                    self.assertIn(path, err)
                    self.assertIn(where, err)
                    self.assertNotIn("serving", err)

    def test_a_torn_last_line_is_ignored_and_completed_later(self):
        with tempfile.TemporaryDirectory() as d:
            path = self.write(d, "torn", [self.START, self.line(2, "a"), b'{"id":"r1.3","ev'],
                              end=b"")
            with Ssetail(["--view", path]) as v:
                with v.stream() as stream:
                    got = []
                    for event in stream:
                        got.append((event.type, event.data))
                        if len(got) == 2:
                            # The writer goes on: the torn line is completed, the run ends.
                            with open(path, "ab") as f:
                                f.write(b'ent":"stdout","data":{"text":"b","t":3}}\n')
                                f.write(b'{"id":"r1.4","event":"exit","data":{"code":0}}\n')
                self.assertEqual(got[1:], [("stdout", "a"), ("stdout", "b"), ("exit", '{"code":0}')])
                self.assertTrue(stream.ended)

    def test_a_gzip_record_is_read_through_zlib(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.jsonl.gz")
            lines = [self.START] + [self.line(i, f"l{i}") for i in range(2, 5002)]
            lines.append(b'{"id":"r1.5002","event":"exit","data":{"code":0}}')
            with gzip.open(path, "wb") as f:
                f.write(b"\n".join(lines) + b"\n")
            with Ssetail(["--view", path]) as v:
                _, events = v.events()
                self.assertEqual(lines_of(events), [f"l{i}" for i in range(2, 5002)])
                self.assertEqual(ids(events), list(range(1, 5003)))
                self.assertEqual(events[0].id, "r1.1")

    def test_sigint_ends_view_with_status_0(self):
        with tempfile.TemporaryDirectory() as d:
            path = self.write(d, "run", [self.START, self.line(2, "a")])
            v = Ssetail(["--view", path])
            v.signal(signal.SIGINT)
            self.assertEqual(v.wait(), 0)

    def test_view_does_not_take_a_command(self):
        code, err = self.refused(["--view", "x", "--", "true"])
        self.assertEqual(code, 125)
        self.assertIn("--view", err)
        code, err = self.refused(["--no-record", "--save", "x", "--", "true"])
        self.assertEqual(code, 125)
        code, err = self.refused(["--record-max", "lots", "--", "true"])
        self.assertEqual((code, len(err.splitlines())), (125, 1))


# How long --view may take to end after SIGTERM/SIGINT, whatever it is doing (docs/spec.md
# "Viewing a record": about 1 s). The tests wait far longer: they check that it ends, not
# how fast (this machine is shared).
GRACE = 20


def start_view(args):
    """An ssetail --view that may not print its serving line (it is still reading or
    waiting): a Popen of its own, its stderr in a file."""
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen([SSETAIL, "--port", "0", "--quiet"] + args, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    return proc, err


def ended_by(proc, sig, err):
    """Sends `sig`; returns (status, stderr) once it ended, or fails (after killing it)."""
    proc.send_signal(sig)
    try:
        code = proc.wait(GRACE)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"--view ignored signal {sig} for {GRACE} s")
    err.seek(0)
    text = err.read().decode(errors="replace")
    err.close()
    return code, text


class HostileView(unittest.TestCase):
    """Issue 19: records that are hostile or careless, and every way --view can wait."""
    START = View.START

    def write(self, d, name, data):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def refused(self, args):
        proc = subprocess.run([SSETAIL, "--port", "0"] + args, capture_output=True, timeout=60)
        return proc.returncode, proc.stderr.decode(errors="replace")

    def test_19_1_an_id_past_2_53_is_a_bad_record_not_a_disk_filled(self):
        line = b'{"id":"r1.18446744073709551615","event":"stdout","data":{"text":"max","t":1}}\n'
        with tempfile.TemporaryDirectory() as d:
            path = self.write(d, "max.jsonl", self.START + b"\n" + line)
            for extra in ([], ["--no-record"]):
                with self.subTest(extra=extra):
                    code, err = self.refused(["--view", path] + extra)
                    self.assertEqual(code, 125, err)
                    self.assertIn(f"{path}:2: the id's SEQ is past 2^53", err)
                    self.assertNotIn("serving", err)
            # 2^53 itself is an id like any other: served, the ids between as a gap.
            top = b'{"id":"r1.9007199254740992","event":"exit","data":{"code":0}}\n'
            path = self.write(d, "top.jsonl", self.START + b"\n" + top)
            with Ssetail(["--view", path]) as v:
                _, events = v.events()
                self.assertEqual([e.type for e in events], ["start", "gap", "exit"])
                self.assertEqual(events[1].json(), {"missed": 9007199254740990})
                self.assertEqual(events[2].id, "r1.9007199254740992")
                # Last-Event-ID past the bound is no id of this run: the whole run again.
                _, again = v.events(headers={"Last-Event-ID": "r1.18446744073709551615"})
                self.assertEqual([e.type for e in again], ["start", "gap", "exit"])

    def test_19_2_dev_zero_and_a_gzip_of_zeros_are_refused_at_once(self):
        with tempfile.TemporaryDirectory() as d:
            gz = os.path.join(d, "zeros.gz")
            with gzip.open(gz, "wb", compresslevel=1) as f:
                for _ in range(64):
                    f.write(bytes(1 << 20))
            for path in ("/dev/zero", gz):
                with self.subTest(path):
                    code, err = self.refused(["--view", path])
                    self.assertEqual(code, 125, err)
                    self.assertIn(f"{path}:1: a NUL byte in the first line: not a record", err)

    def test_19_2_a_first_line_past_16_mib_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            path = self.write(d, "long", b"{" + b" " * (17 << 20))
            code, err = self.refused(["--view", path])
            self.assertEqual(code, 125, err)
            self.assertIn(f"{path}:1: a line longer than 16 MiB", err)

    def test_19_4_a_record_capped_by_ssetail_is_viewed(self):
        # The hole --record-max punched (about 20 MiB of NULs here) is no line of its own.
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "cap.jsonl")
            with Ssetail(["--save", path, "--record-max", "1M", "--", "seq", "300000"]) as s:
                self.assertEqual(s.wait(120), 0)
            self.assertGreater(os.stat(path).st_size, 17 << 20)
            with Ssetail(["--view", path]) as v:
                _, events = v.events(timeout=120)
                self.assertEqual([e.type for e in events[:2]], ["start", "gap"])
                self.assertEqual(events[-1].type, "exit")
                self.assertEqual(lines_of(events)[-1], "300000")
                self.assertEqual(ids(events)[-1], 300002)
            # A bad line after the hole is named by its own number: 2, not 1.
            with open(path, "r+b") as f:
                f.seek(os.stat(path).st_size - 2)
                f.write(b"!\n")
            self.assertEqual(os.popen(f"tail -c 3 {path}").read(), "}!\n")
            with open(path, "rb") as f:
                count = f.read().count(b"\n")
            code, err = self.refused(["--view", path])
            self.assertEqual(code, 125, err)
            self.assertIn(f"{path}:{count}: ", err)

    def test_19_7_run_ids_are_bounded_where_they_enter_and_kept_whole(self):
        with tempfile.TemporaryDirectory() as d:
            for run, ok in (("r" * 64, True), ("r" * 65, False), ("r.1", False)):
                start = self.START.replace(b'"r1.1"', f'"{run}.1"'.encode())
                lines = [start] + [json.dumps({"id": f"{run}.{i}", "event": "stdout",
                                               "data": {"text": f"l{i}", "t": i}}).encode()
                                   for i in range(2, 201)]
                path = self.write(d, "run.jsonl", b"\n".join(lines) + b"\n")
                if not ok:
                    code, err = self.refused(["--view", path])
                    self.assertEqual(code, 125, err)
                    self.assertIn(":1: the run id is not 1 to 64 of A-Z a-z 0-9 _ -", err)
                    continue
                # Memory holds the last 10: the rest is replayed from the record, whole ids.
                with Ssetail(["--view", path, "--history", "10"]) as v:
                    with v.stream() as stream:
                        got = [e for _, e in zip(range(200), stream)]
                    self.assertEqual([e.id for e in got], [f"{run}.{i}" for i in range(1, 201)])
                    with v.stream(headers={"Last-Event-ID": f"{run}.100"}) as stream:
                        self.assertEqual(next(iter(stream)).id, f"{run}.101")

    def test_19_5_view_f_save_f_is_refused_and_f_is_kept(self):
        with tempfile.TemporaryDirectory() as d:
            lines = [self.START] + [View().line(i, f"l{i}") for i in range(2, 1000)]
            data = b"\n".join(lines) + b"\n"
            path = self.write(d, "run.jsonl", data)
            os.link(path, os.path.join(d, "link.jsonl"))
            for save in (path, os.path.join(d, "link.jsonl"), os.path.join(d, ".", "run.jsonl")):
                with self.subTest(save):
                    code, err = self.refused(["--view", path, "--save", save])
                    self.assertEqual(code, 125, err)
                    self.assertIn("is the file --view reads", err)
                    self.assertEqual(len(err.splitlines()), 1, err)
                    with open(path, "rb") as f:
                        self.assertEqual(f.read(), data)

    def test_19_11_a_directory_and_a_bad_gzip_header_say_what_they_are(self):
        with tempfile.TemporaryDirectory() as d:
            bad = self.write(d, "bad.gz", b"\x1f\x8b\x99garbage garbage garbage\n")
            for path, why in ((d, "a directory, not a record"), (bad, "not a gzip stream")):
                with self.subTest(path):
                    code, err = self.refused(["--view", path])
                    self.assertEqual(code, 125, err)
                    self.assertIn(why, err)
                    self.assertNotIn("empty", err)
                    self.assertEqual(len(err.splitlines()), 1, err)

    def test_sigterm_ends_view_waiting_for_a_fifo_writer(self):
        with tempfile.TemporaryDirectory() as d:
            fifo = os.path.join(d, "fifo")
            os.mkfifo(fifo)
            proc, err = start_view(["--view", fifo])
            time.sleep(1)
            self.assertIsNone(proc.poll())
            code, text = ended_by(proc, signal.SIGTERM, err)
            self.assertEqual(code, 0, text)
            self.assertNotIn("serving", text)

    def test_a_fifo_is_served_once_its_writer_comes(self):
        with tempfile.TemporaryDirectory() as d:
            fifo = os.path.join(d, "fifo")
            os.mkfifo(fifo)
            proc, err = start_view(["--view", fifo])
            try:
                time.sleep(0.5)
                with open(fifo, "wb") as w:
                    w.write(self.START + b"\n" + View().line(2, "through a fifo") + b"\n")
                    w.flush()
                    self.assertTrue(wait_for(lambda: b"serving" in read_all(err), 30))
                code, text = ended_by(proc, signal.SIGINT, err)
                self.assertEqual(code, 0, text)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()

    def test_sigterm_ends_view_while_it_reads_a_huge_hole(self):
        # 64 GiB of a sparse file's hole after the start line: reading it takes a while.
        with tempfile.TemporaryDirectory() as d:
            path = self.write(d, "huge.jsonl", self.START + b"\n")
            os.truncate(path, 64 << 30)
            proc, err = start_view(["--view", path])
            self.assertTrue(wait_for(lambda: read_bytes(proc.pid) > (64 << 20), 30))
            code, text = ended_by(proc, signal.SIGTERM, err)
            self.assertEqual(code, 0, text)

    def test_sigint_ends_view_while_it_inflates_a_gzip_bomb(self):
        # 1 GiB of record lines (1 MiB of text each) in about 1 MB of gzip.
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bomb.jsonl.gz")
            text = "y" * (1 << 20)
            with gzip.open(path, "wb", compresslevel=6) as f:
                f.write(self.START + b"\n")
                for n in range(2, 1026):
                    f.write(View().line(n, text) + b"\n")
            proc, err = start_view(["--view", path])
            self.assertTrue(wait_for(lambda: read_bytes(proc.pid) > (64 << 10), 30))
            time.sleep(0.5)
            code, text = ended_by(proc, signal.SIGINT, err)
            self.assertEqual(code, 0, text)

    def test_the_main_thread_sleeps_while_nothing_is_written(self):
        with tempfile.TemporaryDirectory() as d:
            path = self.write(d, "run", self.START + b"\n" + View().line(2, "a") + b"\n")
            with Ssetail(["--view", path]) as v:
                time.sleep(0.5)
                before = wakeups(v.proc.pid)
                time.sleep(3)
                self.assertLessEqual(wakeups(v.proc.pid) - before, 2)
                # ... and wakes when the file grows.
                with open(path, "ab") as f:
                    f.write(View().line(3, "b") + b"\n")
                self.assertTrue(wait_for(lambda: b"\nb\n" in v.get("/log")[1], 10))


def read_all(f):
    f.seek(0)
    return f.read()


def read_bytes(pid):
    """What process `pid` has read so far (/proc/PID/io rchar)."""
    with open(f"/proc/{pid}/io") as f:
        return int(next(l for l in f if l.startswith("rchar:")).split()[1])


def wakeups(pid):
    """How often the main thread of `pid` has gone to sleep and woken again."""
    with open(f"/proc/{pid}/task/{pid}/status") as f:
        fields = dict(l.split(":", 1) for l in f if ":" in l)
    return int(fields["voluntary_ctxt_switches"])


if __name__ == "__main__":
    unittest.main()
