"""SPEC §12: the run's index on the server: /problems, /sections, /status's problems and
progress, the terminal summary, GitHub annotations, --sections, --view of a record, and the
relay's run list, on the real output of real tools (gcc and make, go test's text, python3
unittest and pytest)."""

import json
import os
import subprocess
import tempfile
import unittest

from harness import RedisServer, Ssetail, wait_for

GO_AND_DIFF = (
    'printf "=== RUN   TestA\\n--- PASS: TestA (0.00s)\\n=== RUN   TestB\\n'
    '    b_test.go:5: got 1, want 2\\n--- FAIL: TestB (0.00s)\\nFAIL\\n"; diff -u a.txt b.txt')

MAKEFILE = """all: prog
prog: a.o b.o
\tgcc -o prog a.o b.o
%.o: %.c
\tgcc -Wall -c $< -o $@
"""
# Two warnings (unused variables), then one error (a missing ';').
A_C = """int a(void) {
  int unused_one;
  int unused_two;
  return 0;
}
"""
B_C = """int b(void) {
  return 1
}
"""
TEST_M = """import unittest


class T(unittest.TestCase):
    def test_sum(self):
        self.assertEqual(1 + 1, 3)
"""
# Debian's pytest (python3-pytest), whichever python3 runs these tests.
TEST_P = """def double(x):
    return x * 2


def test_double():
    assert double(2) == 5
"""
PYTEST = "/usr/bin/python3 -m pytest -q -p no:cacheprovider test_p.py"


def env_without_ci(**extra):
    """ssetail's environment without the CI variables that change what it does, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if k not in ("BUILDKITE", "GITHUB_ACTIONS")}
    env.update(extra)
    return env


def get_json(s, path):
    resp, body = s.get(path)
    if resp.status != 200:
        raise AssertionError(f"GET {path}: {resp.status} {body!r}")
    return json.loads(body)


def complete_problems(s, path="/problems"):
    """/problems once the index is complete (the run ended and was indexed)."""
    if not wait_for(lambda: get_json(s, path)["complete"], 30):
        raise AssertionError(f"{path} never complete: {get_json(s, path)}")
    return get_json(s, path)


def seq(problem_or_id):
    text = problem_or_id if isinstance(problem_or_id, str) else problem_or_id["id"]
    return int(text.rsplit(".", 1)[1])


def c_project(directory):
    for name, text in (("Makefile", MAKEFILE), ("a.c", A_C), ("b.c", B_C), ("test_m.py", TEST_M),
                       ("test_p.py", TEST_P)):
        with open(os.path.join(directory, name), "w") as f:
            f.write(text)


# The failing build and tests: make stops at b.c, then unittest and pytest fail; a progress
# line first.
BUILD = f'echo "[3/10] Building"; make; python3 -m unittest test_m; {PYTEST}; exit 2'


def kinds(problems):
    """(severity, file, line, tool) of each problem; a file under a temporary directory by
    its name (unittest's tracebacks give absolute paths)."""
    return [(p["severity"], p["file"] and p["file"].rsplit("/tmp", 1)[-1].split("/")[-1],
             p["line"], p["tool"]) for p in problems["problems"]]


class GoTestAndDiff(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        for name, text in (("a.txt", "one\ntwo\n"), ("b.txt", "one\nthree\n")):
            with open(os.path.join(self.dir.name, name), "w") as f:
                f.write(text)

    def tearDown(self):
        self.dir.cleanup()

    def test_no_sections_and_the_failure_points_at_its_line(self):
        with Ssetail(["--linger=30", "--", "sh", "-c", GO_AND_DIFF], cwd=self.dir.name,
                     env=env_without_ci()) as s:
            problems = complete_problems(s)
            self.assertEqual(get_json(s, "/sections"), {"sections": []})
            errors = [p for p in problems["problems"] if p["severity"] == "error"]
            self.assertEqual(len(errors), 1, problems)
            self.assertEqual((errors[0]["file"], errors[0]["line"]), ("b_test.go", 5))
            # start is 1: the `b_test.go:5:` line is the run's fifth event.
            self.assertEqual(seq(errors[0]), 5)
            self.assertEqual(problems["errors"], 1)

    def test_under_buildkite_the_dash_lines_are_sections(self):
        with Ssetail(["--linger=30", "--", "sh", "-c", GO_AND_DIFF], cwd=self.dir.name,
                     env=env_without_ci(BUILDKITE="true")) as s:
            complete_problems(s)
            sections = get_json(s, "/sections")["sections"]
            titles = [x["title"] for x in sections]
            self.assertIn("PASS: TestA (0.00s)", titles)
            self.assertTrue(any(t.startswith("a.txt") for t in titles), titles)
            self.assertEqual(seq(sections[0]["first"]), 3)
            # `--- ` folds by default, a diff's `+++ b.txt` does not; no end markers.
            folds = {x["title"].split(" ")[0]: x["collapsed"] for x in sections}
            self.assertEqual((folds["a.txt"], folds["b.txt"]), (True, False), sections)
            self.assertEqual({x["end_marker"] for x in sections}, {None})

    def test_buildkite_folds_and_a_reopened_section(self):
        script = ('echo "--- Build"; echo x; echo "^^^ +++"; echo "--- Test"; echo y; '
                  'echo "+++ Report"; echo "~~~ Cleanup"')
        with Ssetail(["--linger=30", "--", "sh", "-c", script],
                     env=env_without_ci(BUILDKITE="true")) as s:
            complete_problems(s)
            sections = get_json(s, "/sections")["sections"]
            self.assertEqual([(x["title"], x["collapsed"]) for x in sections],
                             [("Build", False), ("Test", True), ("Report", False),
                              ("Cleanup", True)])

    def test_sections_none_and_a_bad_list(self):
        with Ssetail(["--linger=30", "--sections", "none", "--", "sh", "-c",
                      "echo ::group::g; echo x; echo ::endgroup::"],
                     env=env_without_ci()) as s:
            complete_problems(s)
            self.assertEqual(get_json(s, "/sections"), {"sections": []})
        bad = subprocess.run([os.environ.get("SSETAIL", "../../build/ssetail"), "--sections",
                              "github,jenkins", "--", "true"], capture_output=True, timeout=30)
        self.assertEqual(bad.returncode, 125)
        self.assertIn(b"--sections", bad.stderr)
        self.assertEqual(len(bad.stderr.strip().split(b"\n")), 1)


class FailingBuild(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        c_project(self.dir.name)

    def tearDown(self):
        self.dir.cleanup()

    def run_build(self, *options, env=None, quiet=False):
        s = Ssetail(list(options) + ["--", "sh", "-c", BUILD], cwd=self.dir.name,
                    env=env or env_without_ci(), quiet=quiet)
        return s

    def test_problems_status_and_the_summary_line(self):
        with self.run_build("--linger=30", "--save", os.path.join(self.dir.name, "run.jsonl")) as s:
            problems = complete_problems(s)
            # gcc reports unused variables last declared first.
            self.assertEqual(kinds(problems), [
                ("warning", "a.c", 3, "cc"),
                ("warning", "a.c", 2, "cc"),
                ("error", "b.c", 2, "cc"),
                ("error", None, None, "make"),
                ("error", "test_m.py", 6, "unittest"),
                ("error", "test_p.py", 6, "pytest"),
            ])
            self.assertEqual((problems["errors"], problems["warnings"]), (4, 2))
            self.assertEqual(problems["problems"][-1]["message"], "test_double - assert 4 == 5")
            status = get_json(s, "/status")
            self.assertEqual(status["problems"], {"errors": 4, "warnings": 2})
            self.assertEqual(status["progress"], {"done": 3, "total": 10})
            # Each problem's id is the line a reader wants: the compiler's, make's, the
            # exception line of unittest's traceback.
            _, log = s.get("/log")
            lines = log.decode().split("\n")
            wanted = [lines[seq(p) - 2] for p in problems["problems"]]
            self.assertTrue(wanted[0].startswith("a.c:3:"), wanted)
            self.assertTrue(wanted[2].startswith("b.c:2:"), wanted)
            self.assertTrue(wanted[3].startswith("make: ***"), wanted)
            self.assertEqual(wanted[4], "AssertionError: 2 != 3")
            self.assertEqual(wanted[5], "FAILED test_p.py::test_double - assert 4 == 5")
            s.signal(15)
            self.assertEqual(s.wait(30), 2)
            stderr = s.stderr().decode()
            # The summary is the last line, after the command's output.
            last = stderr.rstrip("\n").split("\n")[-1]
            self.assertRegex(last, r"^ssetail: 4 errors, 2 warnings; first error: b\.c:2:\d+: "
                                   r"expected .;. before .* \(line \d+\)$")
            self.assertNotIn("::error", stderr)
            # --view of the saved record: the same problems.
            with Ssetail(["--view", os.path.join(self.dir.name, "run.jsonl")],
                         env=env_without_ci()) as view:
                self.assertEqual(complete_problems(view), problems)
                self.assertEqual(get_json(view, "/status")["problems"],
                                 {"errors": 4, "warnings": 2})

    def test_github_actions_annotations_follow_the_summary(self):
        s = self.run_build(env=env_without_ci(GITHUB_ACTIONS="true"))
        self.assertEqual(s.wait(60), 2)
        tail = s.stderr().decode().rstrip("\n").split("\n")
        at = next(i for i, line in enumerate(tail) if line.startswith("ssetail: 4 errors"))
        annotations = tail[at + 1:]
        # In line order, those with a file (make's error has none).
        self.assertEqual([a.split(" ")[0] for a in annotations],
                         ["::warning", "::warning", "::error", "::error", "::error"])
        self.assertTrue(annotations[0].startswith("::warning file=a.c,line=3,col="), annotations)
        self.assertIn("unused variable", annotations[0])
        self.assertTrue(annotations[2].startswith("::error file=b.c,line=2,col="), annotations)
        self.assertRegex(annotations[2], "::expected .;. before")
        self.assertRegex(annotations[3], r"^::error file=/.*test_m.py,line=6::")
        self.assertRegex(annotations[4], r"^::error file=test_p.py,line=6::")

    def test_no_summary_and_quiet_print_none(self):
        for option in ("--no-summary", "--quiet"):
            s = self.run_build(option, env=env_without_ci(GITHUB_ACTIONS="true"))
            self.assertEqual(s.wait(60), 2)
            self.assertNotIn("ssetail: 4 errors", s.stderr().decode(), option)
            self.assertNotIn("::error", s.stderr().decode(), option)

    def test_a_clean_run_prints_no_summary(self):
        s = Ssetail(["--", "sh", "-c", "echo all good"], env=env_without_ci(), quiet=False)
        self.assertEqual(s.wait(30), 0)
        self.assertNotIn("ssetail: 0", s.stderr().decode())
        self.assertEqual(s.stderr().decode().count("\n"), 0)  # the serving line was read apart


class NestedGroups(unittest.TestCase):
    def test_depths_and_durations(self):
        script = ('echo ::group::outer; sleep 0.2; echo ::group::inner; echo x; sleep 0.3; '
                  'echo ::endgroup::; echo y; echo ::endgroup::; echo after')
        with Ssetail(["--linger=30", "--", "sh", "-c", script], env=env_without_ci()) as s:
            complete_problems(s)
            sections = get_json(s, "/sections")["sections"]
            self.assertEqual([(x["title"], x["depth"], x["failed"]) for x in sections],
                             [("outer", 0, False), ("inner", 1, False)])
            outer, inner = sections
            # Events: start 1, ::group::outer 2, ::group::inner 3, x 4, ::endgroup:: 5, y 6,
            # ::endgroup:: 7, after 8.
            self.assertEqual([(seq(x["first"]), seq(x["last"])) for x in sections],
                             [(2, 7), (3, 5)])
            # GitHub groups fold by default; each names its `::endgroup::` line, to hide.
            self.assertEqual([(x["collapsed"], seq(x["end_marker"])) for x in sections],
                             [(True, 7), (True, 5)])
            # Durations from the lines' times (taken when ssetail read each line): at least
            # the sleep inside the inner one, and the outer holds the inner. Not "inner + the
            # outer's own 0.2 s": a line read late (a loaded machine) shortens what precedes it.
            self.assertGreaterEqual(inner["duration_ms"], 300)
            self.assertGreaterEqual(outer["duration_ms"], inner["duration_ms"])

    def test_while_running_a_section_is_open_and_problems_are_not_complete(self):
        script = 'echo ::group::build; echo "x.c:1:1: error: bad" >&2; sleep 30'
        with Ssetail(["--", "sh", "-c", script], env=env_without_ci()) as s:
            self.assertTrue(wait_for(lambda: get_json(s, "/problems")["errors"] == 1, 30))
            problems = get_json(s, "/problems")
            self.assertFalse(problems["complete"])
            sections = get_json(s, "/sections")["sections"]
            self.assertEqual(len(sections), 1)
            self.assertIsNone(sections[0]["last"])
            self.assertTrue(sections[0]["failed"])


class Relay(unittest.TestCase):
    def test_the_run_list_shows_the_counts_of_a_failing_run(self):
        script = 'echo "a.c:1:2: warning: w" >&2; echo "a.c:3:4: error: e" >&2; exit 1'
        with RedisServer() as redis:
            s = Ssetail(["--publish", redis.url(), "--", "sh", "-c", script],
                        env=env_without_ci())
            self.assertEqual(s.wait(30), 1)
            with Ssetail(["--relay", redis.url()], env=env_without_ci()) as relay:
                runs = get_json(relay, "/runs")["runs"]
                self.assertEqual(len(runs), 1)
                self.assertEqual((runs[0]["errors"], runs[0]["warnings"]), (1, 1))
                run = runs[0]["id"]
                # The first error is line 2 (the warning is line 1): the list links to it.
                self.assertEqual(runs[0]["first_error"], 2)
                _, html = relay.get("/")
                self.assertRegex(html.decode(), r'<td class="num errors">1</td>'
                                                r'<td class="num warnings">1</td>')
                self.assertIn(f'<a class="error-link" href="runs/{run}/#L2"', html.decode())
                problems = complete_problems(relay, f"/runs/{run}/problems")
                self.assertEqual(kinds(problems), [("warning", "a.c", 1, "cc"),
                                                   ("error", "a.c", 3, "cc")])
                self.assertEqual(problems["problems"][1]["id"], f"{run}.3")
                self.assertEqual(get_json(relay, f"/runs/{run}/sections"), {"sections": []})
                self.assertEqual(get_json(relay, f"/runs/{run}/status")["problems"],
                                 {"errors": 1, "warnings": 1})


if __name__ == "__main__":
    unittest.main()
