"""SPEC §14: --compare FILE, GET /compare. Two runs of a small C project built by make and
gcc, the second with one new error and one fixed warning, every line of both carrying a
timestamp, a duration and a temporary path of its own."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import SSETAIL, RedisServer, Ssetail, wait_for

MAKEFILE = """\
all:
\t@for i in 1 2 3 4 5 6; do echo "$$(date -u +%FT%T.%NZ) configure step $$i took 0.$$(date +%N | cut -c1-3)s in $(CURDIR)/build"; sleep 0.01; done
\tgcc -Wall -c $(CURDIR)/util.c -o $(CURDIR)/util.o
\t@for i in 7 8 9 10; do echo "[$$(date -u +%T.%N)] step $$i done in $$(date +%N | cut -c1-2) ms, cache $(CURDIR)/cache"; done
\t-gcc -Wall -c $(CURDIR)/main.c -o $(CURDIR)/main.o
\t@for i in 11 12 13 14 15 16; do echo "$$(date -u +%FT%T.%NZ) finish step $$i took 0.$$(date +%N | cut -c1-3)s in $(CURDIR)/out"; done
"""

UTIL_WARNING = "int util(int x) {\n  int unused;\n  return x * 2;\n}\n"
UTIL_CLEAN = "int util(int x) {\n  return x * 2;\n}\n"
MAIN_CLEAN = "int util(int x);\nint main(void) {\n  int y = util(2);\n  return y - 4;\n}\n"
MAIN_ERROR = "int util(int x);\nint main(void) {\n  int y = util(2);\n  return y - 4\n}\n"


def read_record(path):
    with open(path, "rb") as f:
        return [json.loads(line.strip(b"\0")) for line in f.read().split(b"\n")
                if line.strip(b"\0")]


def texts_by_id(path):
    return {r["id"]: r["data"]["text"] for r in read_record(path)
            if r["event"] in ("stdout", "stderr")}


def compare(s, timeout=60):
    """GET /compare as (header, hunks, problems line); each line must be JSON."""
    conn = s.connect(timeout)
    conn.request("GET", "/compare")
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    if resp.status != 200:
        raise AssertionError(f"/compare: {resp.status} {body[:300]!r}")
    assert resp.getheader("Content-Type", "").startswith("application/x-ndjson")
    lines = [json.loads(line) for line in body.decode().splitlines()]
    if len(lines) < 2 or "with" not in lines[0] or "complete" not in lines[-1]:
        raise AssertionError(f"/compare is not header, hunks, problems: {body[:500]!r}")
    return lines[0], lines[1:-1], lines[-1]


def state(s):
    return json.loads(s.get("/status")[1])["state"]


def save_run(directory, record, args):
    """Runs `args` under ssetail --save `record` in `directory`, to its end."""
    proc = subprocess.run([SSETAIL, "--port", "0", "-q", "--save", record, "--"] + args,
                          cwd=directory, capture_output=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"{args}: {proc.returncode} {proc.stderr[-500:]!r}")


class CProject(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if shutil.which("gcc") is None or shutil.which("make") is None:
            raise unittest.SkipTest("needs gcc and make")
        cls.dir = tempfile.mkdtemp(prefix="ssetail-compare-")
        cls.a = os.path.join(cls.dir, "a.jsonl")
        cls.b = os.path.join(cls.dir, "b.jsonl")
        # Each build in a temporary directory of its own, under /tmp (normalised to <tmp>).
        cls.project_a = cls.project(UTIL_WARNING, MAIN_CLEAN)
        cls.project_b = cls.project(UTIL_CLEAN, MAIN_ERROR)
        save_run(cls.project_a, cls.a, ["sh", "-c", "make 2>&1"])
        save_run(cls.project_b, cls.b, ["sh", "-c", "make 2>&1"])
        cls.text_a = texts_by_id(cls.a)
        cls.text_b = texts_by_id(cls.b)

    @classmethod
    def project(cls, util, main):
        d = tempfile.mkdtemp(prefix="tmp.", dir="/tmp")
        for name, text in (("Makefile", MAKEFILE), ("util.c", util), ("main.c", main)):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
        return d

    @classmethod
    def tearDownClass(cls):
        for d in (cls.dir, cls.project_a, cls.project_b):
            shutil.rmtree(d, ignore_errors=True)

    def check_the_real_change(self, s, run_texts):
        header, hunks, problems = compare(s)
        self.assertEqual(header["with"]["exit"]["code"], 0)
        self.assertIn("make", header["with"]["title"])
        self.assertTrue(problems["complete"])
        # The record's lines differ on every line (times, durations, paths): only two hunks.
        self.assertEqual(len(hunks), 2, hunks)
        gone = [h for h in hunks if h["op"] == "delete"]
        new = [h for h in hunks if h["op"] == "insert"]
        self.assertEqual((len(gone), len(new)), (1, 1), hunks)
        gone_text = "\n".join(self.text_a[i] for i in gone[0]["with_ids"])
        new_text = "\n".join(run_texts[i] for i in new[0]["ids"])
        self.assertIn("warning: unused variable", gone_text)
        self.assertNotIn("error", gone_text)
        self.assertIn("error: expected", new_text)
        self.assertNotIn("warning", new_text)
        self.assertIn("after", gone[0])
        # A deletion's first difference is this run's line after it.
        seq = lambda i: int(i.rsplit(".", 1)[1])  # noqa: E731
        after_gone = min((i for i in run_texts if seq(i) > seq(gone[0]["after"])), key=seq)
        self.assertEqual(header["first_difference"], min([after_gone, new[0]["ids"][0]], key=seq))
        self.assertTrue(any(p["severity"] == "error" and "expected" in p["message"]
                            and p["file"].endswith("main.c") for p in problems["new_problems"]),
                        problems)
        self.assertFalse(any(p["severity"] == "warning" for p in problems["new_problems"]))
        self.assertEqual([(p["severity"], p["file"].endswith("util.c"), "unused" in p["message"])
                          for p in problems["gone_problems"]], [("warning", True, True)], problems)
        return hunks

    def test_must_show_the_real_change_of_a_saved_run(self):
        with Ssetail(["--view", self.b, "--compare", self.a]) as s:
            wait_for(lambda: state(s) == "exited", 30)
            header, _, _ = compare(s)
            self.assertNotIn("estimate", header)  # the run has ended
            self.check_the_real_change(s, self.text_b)

    def test_the_same_run_live_with_a_command(self):
        record = os.path.join(self.dir, "live.jsonl")
        with Ssetail(["--compare", self.a, "--save", record, "--linger=30", "--",
                      "sh", "-c", "make 2>&1"], cwd=self.project_b) as s:
            self.assertTrue(wait_for(lambda: state(s) == "exited", 60))
            self.check_the_real_change(s, texts_by_id(record))

    def test_a_gzip_record_compares_the_same(self):
        gz = os.path.join(self.dir, "a.jsonl.gz")
        with open(self.a, "rb") as f, open(gz, "wb") as out:
            out.write(subprocess.run(["gzip", "-c"], stdin=f, capture_output=True).stdout)
        with Ssetail(["--view", self.b, "--compare", gz]) as s:
            wait_for(lambda: state(s) == "exited", 30)
            self.check_the_real_change(s, self.text_b)

    def test_a_run_compared_with_itself_has_no_hunk(self):
        with Ssetail(["--view", self.a, "--compare", self.a]) as s:
            wait_for(lambda: state(s) == "exited", 30)
            header, hunks, problems = compare(s)
            self.assertEqual((header["first_difference"], hunks), (None, []))
            self.assertEqual((problems["new_problems"], problems["gone_problems"]), ([], []))
            self.assertTrue(problems["complete"])


class Refused(unittest.TestCase):
    def refused(self, args):
        proc = subprocess.run([SSETAIL, "--port", "0"] + args, capture_output=True, timeout=30)
        return proc.returncode, proc.stderr.decode()

    def test_a_missing_or_bad_file_is_one_line_and_125(self):
        with tempfile.TemporaryDirectory() as d:
            text = os.path.join(d, "text")
            with open(text, "w") as f:
                f.write("hello\n")
            empty = os.path.join(d, "empty")
            open(empty, "w").close()
            cases = {"missing": os.path.join(d, "nope"), "text": text, "empty": empty,
                     "directory": d}
            good = os.path.join(d, "good.jsonl")
            save_run(d, good, ["true"])
            for name, path in cases.items():
                for mode in (["--", "true"], ["--view", good]):
                    with self.subTest(name, mode=mode[0]):
                        code, err = self.refused(["--compare", path] + mode)
                        self.assertEqual(code, 125, err)
                        self.assertEqual(len(err.splitlines()), 1, err)
                        self.assertIn("--compare " + path, err)
                        self.assertNotIn("serving", err)

    def test_compare_does_not_go_with_relay(self):
        code, err = self.refused(["--compare", "x.jsonl", "--relay", "redis://127.0.0.1:1/"])
        self.assertEqual(code, 125, err)
        self.assertIn("--compare", err)
        self.assertEqual(len(err.splitlines()), 1, err)

    def test_without_compare_the_url_is_404(self):
        with Ssetail(["--linger=30", "--", "true"]) as s:
            self.assertEqual(s.get("/compare")[0].status, 404)


class Bounded(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ssetail-compare-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def test_runs_that_differ_everywhere_get_a_bounded_answer(self):
        a = os.path.join(self.dir, "a.jsonl")
        save_run(self.dir, a, ["seq", "200000"])
        with Ssetail(["--compare", a, "--linger=30", "--", "seq", "2", "2", "400000"]) as s:
            self.assertTrue(wait_for(lambda: state(s) == "exited", 60))
            header, hunks, problems = compare(s, timeout=30)
            self.assertIsInstance(problems["complete"], bool)
            self.assertIsNotNone(header["first_difference"])
            if problems["complete"]:
                # Every line of each run is new or gone but the evens both have.
                new = sum(len(h["ids"]) for h in hunks)
                gone = sum(len(h["with_ids"]) for h in hunks)
                self.assertEqual((new, gone), (100000, 100000))

    def test_a_run_with_gaps_reports_no_line_of_a_gap(self):
        full = os.path.join(self.dir, "full.jsonl")
        capped = os.path.join(self.dir, "capped.jsonl")
        save_run(self.dir, full, ["seq", "20000"])
        proc = subprocess.run([SSETAIL, "--port", "0", "-q", "--save", capped, "--record-max",
                               "64K", "--history", "100", "--", "seq", "20000"],
                              capture_output=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        records = read_record(capped)
        self.assertGreater(int(records[1]["id"].rsplit(".", 1)[1]), 2, "the record has no gap")
        for this, other in ((capped, full), (full, capped)):
            with self.subTest(this=os.path.basename(this)):
                with Ssetail(["--view", this, "--compare", other]) as s:
                    wait_for(lambda: state(s) == "exited", 30)
                    header, hunks, problems = compare(s)
                    self.assertEqual(hunks, [])
                    self.assertTrue(problems["complete"])

    def test_lines_that_left_memory_before_the_comparison_took_them_come_from_the_record(self):
        a = os.path.join(self.dir, "a.jsonl")
        save_run(self.dir, a, ["sh", "-c", "seq 100000; echo only-in-a; seq 100001 200000"])
        with Ssetail(["--compare", a, "--history", "100", "--linger=30", "--",
                      "seq", "200000"]) as s:
            self.assertTrue(wait_for(lambda: state(s) == "exited", 60))
            header, hunks, problems = compare(s)
            self.assertTrue(problems["complete"])
            self.assertEqual([(h["op"], len(h["ids"]), len(h["with_ids"])) for h in hunks],
                             [("delete", 0, 1)])
            self.assertEqual(texts_by_id(a)[hunks[0]["with_ids"][0]], "only-in-a")

    def test_the_comparison_thread_is_niced_and_capture_is_not(self):
        a = os.path.join(self.dir, "a.jsonl")
        save_run(self.dir, a, ["seq", "10"])
        with Ssetail(["--compare", a, "--", "sleep", "30"]) as s:
            def nices():
                out = {}
                for tid in os.listdir(f"/proc/{s.proc.pid}/task"):
                    with open(f"/proc/{s.proc.pid}/task/{tid}/stat") as f:
                        # Field 19 is nice; fields after the ")" that ends comm.
                        out[int(tid)] = int(f.read().rsplit(")", 1)[1].split()[16])
                return out
            self.assertTrue(wait_for(lambda: 10 in nices().values(), 10), nices())
            self.assertEqual(sorted(nices().values()).count(10), 1, nices())
            self.assertEqual(nices()[s.proc.pid], 0)

    def test_a_live_run_is_compared_as_far_as_it_went(self):
        a = os.path.join(self.dir, "a.jsonl")
        save_run(self.dir, a, ["sh", "-c", "seq 1000; echo last"])
        with Ssetail(["--compare", a, "--linger=30", "--", "sh", "-c",
                      "seq 500; echo extra; sleep 30"]) as s:
            def seen():
                _, hunks, problems = compare(s)
                return hunks and not problems["complete"]
            self.assertTrue(wait_for(seen, 20))
            header, hunks, problems = compare(s)
            self.assertFalse(problems["complete"])
            # Lines the other run has further on are not gone: they are ahead.
            self.assertEqual([h["op"] for h in hunks], ["insert"])
            self.assertEqual(len(hunks[0]["ids"]), 1)
            # While it goes, the header says how far it is on the other run's timeline.
            self.assertIsInstance(header["estimate"]["left_ms"], int)
            self.assertGreaterEqual(header["estimate"]["left_ms"], 0)
            self.assertIn("percent_slower", header["estimate"])


class Relay(unittest.TestCase):
    def publish(self, redis, title, script):
        with Ssetail(["--publish", redis.url(), "--title", title, "--", "sh", "-c",
                      script]) as s:
            return s.wait(30)

    def test_a_failing_run_compared_with_the_last_green_one_of_its_title(self):
        if shutil.which("redis-server") is None:
            self.skipTest("needs redis-server")
        with RedisServer() as redis:
            self.assertEqual(self.publish(
                redis, "build", "printf 'a 0.5s\\nb\\nx.c:3:5: warning: unused\\nc\\n'"), 0)
            self.publish(redis, "other", "echo elsewhere")
            self.assertEqual(self.publish(
                redis, "build", "printf 'a 0.7s\\nb\\nc\\nx.c:4:1: error: boom\\n'; exit 1"), 1)
            with Ssetail(["--relay", redis.url()]) as relay:
                runs = json.loads(relay.get("/runs")[1])["runs"]
                self.assertEqual([r["title"] for r in runs], ["build", "other", "build"])
                red, green = runs[0]["id"], runs[2]["id"]
                self.assertEqual([r["compare_with"] for r in runs], [green, None, None])
                for query in ("", f"?with={green}"):
                    with self.subTest(query=query):
                        resp, body = relay.get(f"/runs/{red}/compare{query}")
                        self.assertEqual(resp.status, 200, body)
                        lines = [json.loads(line) for line in body.decode().splitlines()]
                        header, hunks, problems = lines[0], lines[1:-1], lines[-1]
                        self.assertEqual(header["with"]["title"], "build")
                        self.assertEqual(header["with"]["exit"]["code"], 0)
                        # a, b, c are the same (0.5s and 0.7s are durations): two hunks.
                        self.assertEqual([(h["op"], h["ids"], h["with_ids"]) for h in hunks],
                                         [("delete", [], [f"{green}.4"]),
                                          ("insert", [f"{red}.5"], [])])
                        self.assertEqual(header["first_difference"], f"{red}.4")
                        self.assertEqual([p["message"] for p in problems["new_problems"]],
                                         ["boom"])
                        self.assertEqual([p["id"] for p in problems["gone_problems"]],
                                         [f"{green}.4"])
                        self.assertTrue(problems["complete"])
                # The green run has no earlier green one; ids that name no run.
                self.assertEqual(relay.get(f"/runs/{green}/compare")[0].status, 404)
                self.assertEqual(relay.get(f"/runs/{red}/compare?with=nosuchrun")[0].status, 404)
                self.assertEqual(relay.get(f"/runs/{red}/compare?with=a%20b")[0].status, 400)


if __name__ == "__main__":
    unittest.main()
