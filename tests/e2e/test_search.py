"""SPEC §11 /search: every line of the run (the record, else memory), literal or RE2,
bounded, streamed as NDJSON; docs/spec.md §7 "/search"."""

import json
import os
import unittest
import urllib.parse

from harness import Ssetail, wait_for

TOKEN = "search-token"


def status(s):
    return json.loads(s.get("/status")[1])


def run_to_end(s, timeout=60):
    if not wait_for(lambda: status(s)["state"] == "exited", timeout):
        raise AssertionError(f"the run did not end within {timeout} s")


def search(s, q, headers=None, **params):
    """Returns (response, [match objects], summary object)."""
    query = urllib.parse.urlencode({"q": q, **params})
    resp, body = s.get(f"/search?{query}", headers)
    if resp.status != 200:
        return resp, None, body.decode()
    assert resp.getheader("Content-Type") == "application/x-ndjson", resp.getheaders()
    lines = [json.loads(line) for line in body.decode().split("\n") if line]
    assert lines, "an empty answer"
    return resp, lines[:-1], lines[-1]


class Search(unittest.TestCase):
    def test_every_line_of_a_run_larger_than_the_memory_history(self):
        with Ssetail(["--history", "100", "--linger=30", "--", "seq", "20000"]) as s:
            run_to_end(s)
            self.assertGreater(status(s)["dropped"], 19000)  # memory holds the newest only
            _, matches, summary = search(s, "777")
            expected = [str(n) for n in range(1, 20001) if "777" in str(n)]
            self.assertEqual([m["text"] for m in matches], expected)
            self.assertEqual(summary, {"matches": len(expected), "complete": True, "unsearched": 0})
            run = matches[0]["id"].split(".")[0]
            first = matches[0]
            # Line 777 is event 778 (the start event is 1).
            self.assertEqual(first, {"id": f"{run}.778", "seq": 778, "stream": "stdout",
                                     "text": "777", "ranges": [[0, 3]]})
            self.assertEqual(matches[-1]["ranges"], [[2, 5]])  # 17770..17779 then 19777

    def test_without_a_record_memory_is_searched_and_what_left_it_is_counted(self):
        with Ssetail(["--no-record", "--history", "100", "--linger=30", "--", "seq", "1000"]) as s:
            run_to_end(s)
            _, matches, summary = search(s, "99")
            self.assertEqual([m["text"] for m in matches],
                             [str(n) for n in range(901, 1001) if "99" in str(n)])
            self.assertEqual(summary["complete"], True)
            self.assertEqual(summary["unsearched"], 900)

    def test_regex_case_and_the_text_as_the_page_shows_it(self):
        script = ("printf 'Error: one\\n'; printf 'error: two\\n' >&2; "
                  "printf '\\033[1;31mERROR\\033[0m: three\\n'; printf 'no problem\\n'")
        with Ssetail(["--linger=30", "--", "sh", "-c", script]) as s:
            run_to_end(s)
            _, matches, summary = search(s, "error")
            # stdout and stderr are two pipes: their lines may come in either order.
            self.assertEqual({m["text"]: m["stream"] for m in matches},
                             {"Error: one": "stdout", "error: two": "stderr",
                              "ERROR: three": "stdout"})
            self.assertEqual([m["seq"] for m in matches], sorted(m["seq"] for m in matches))
            self.assertEqual(summary["matches"], 3)
            _, matches, _ = search(s, "error", case="1")
            self.assertEqual([m["text"] for m in matches], ["error: two"])
            _, matches, _ = search(s, r"^e\w+:", regex="1")
            self.assertEqual([m["ranges"] for m in matches], [[[0, 6]], [[0, 6]], [[0, 6]]])
            _, matches, _ = search(s, r"^e\w+:", regex="1", case="1")
            self.assertEqual([m["text"] for m in matches], ["error: two"])
            # Without regex=1 a pattern is literal.
            _, matches, summary = search(s, r"^e\w+:")
            self.assertEqual((matches, summary["matches"]), ([], 0))
            # Unicode: ranges count UTF-16 units, as the page's strings do.
        with Ssetail(["--linger=30", "--", "printf", "\U0001F600 caf\u00e9 CAF\u00c9\\n"]) as s:
            run_to_end(s)
            _, matches, _ = search(s, "café")
            self.assertEqual(matches[0]["ranges"], [[3, 7], [8, 12]])

    def test_a_bad_pattern_is_400_with_the_reason(self):
        with Ssetail(["--linger=30", "--", "echo", "x"]) as s:
            resp, _, body = search(s, "(a", regex="1")
            self.assertEqual(resp.status, 400)
            self.assertEqual(body, "bad pattern: missing ): (a\n")
            resp, _, body = search(s, "")
            self.assertEqual((resp.status, body), (400, "bad pattern: empty pattern\n"))
            # The same text literally is fine.
            resp, _, summary = search(s, "(a")
            self.assertEqual((resp.status, summary["matches"]), (200, 0))

    def test_a_pattern_that_backtracks_elsewhere_answers_at_once(self):
        line = "a" * 30000
        with Ssetail(["--linger=30", "--", "sh", "-c", f"for i in 1 2 3 4 5; do echo {line}; done"]) as s:
            run_to_end(s)
            _, matches, summary = search(s, "(a|aa)*c", regex="1")
            self.assertEqual((matches, summary["complete"]), ([], True))

    def test_matches_are_capped_and_the_summary_says_so(self):
        with Ssetail(["--linger=30", "--", "seq", "30000"]) as s:
            run_to_end(s)
            _, matches, summary = search(s, "1")
            self.assertEqual(len(matches), 10000)
            self.assertEqual(summary, {"matches": 10000, "complete": False, "unsearched": 0})
            expected = [str(n) for n in range(1, 30001) if "1" in str(n)][:10000]
            self.assertEqual([m["text"] for m in matches], expected)

    def test_a_running_command_is_searched_up_to_now(self):
        with Ssetail(["--", "sh", "-c", "echo needle-1; echo needle-2; sleep 30"]) as s:
            self.assertTrue(wait_for(lambda: status(s)["stdout_lines"] == 2))
            _, matches, summary = search(s, "needle")
            self.assertEqual([m["text"] for m in matches], ["needle-1", "needle-2"])
            self.assertTrue(summary["complete"])

    def test_same_access_control_as_log(self):
        env = dict(os.environ, SSETAIL_TOKEN=TOKEN)
        with Ssetail(["--linger=30", "--", "echo", "secret-output"], env=env) as s:
            resp, body = s.get("/search?q=secret")
            self.assertEqual(resp.status, 401)
            self.assertNotIn(b"secret-output", body)
            bearer = {"Authorization": f"Bearer {TOKEN}"}
            self.assertTrue(wait_for(lambda: search(s, "secret", bearer)[2]["matches"] == 1))
            resp, matches, _ = search(s, "secret", bearer)
            self.assertEqual((resp.status, matches[0]["text"]), (200, "secret-output"))
            resp, body = s.get("/search?q=secret", {"Host": "evil.example:80",
                                                    "Authorization": f"Bearer {TOKEN}"})
            self.assertEqual(resp.status, 403)
            self.assertNotIn(b"secret-output", body)


class Heavy(unittest.TestCase):
    def test_19_9_concurrent_searches_are_capped_and_the_rest_get_503(self):
        # 100 long literal searches at once over a large run (issue 19.9): a few run, the
        # others are told to come back (503, Retry-After) instead of sharing the cores.
        import threading
        with Ssetail(["--linger=60", "--", "seq", "400000"]) as s:
            run_to_end(s)
            q = urllib.parse.urlencode({"q": "x" * 2000})
            answers = []

            def ask():
                conn = s.connect(timeout=120)
                conn.request("GET", f"/search?{q}")
                resp = conn.getresponse()
                body = resp.read()
                answers.append((resp.status, resp.getheader("Retry-After"), body))
                conn.close()

            askers = [threading.Thread(target=ask) for _ in range(100)]
            for t in askers:
                t.start()
            for t in askers:
                t.join(150)
            self.assertEqual(len(answers), 100)
            refused = [a for a in answers if a[0] == 503]
            done = [a for a in answers if a[0] == 200]
            self.assertEqual(len(refused) + len(done), 100)
            self.assertGreater(len(refused), 0)
            self.assertGreater(len(done), 0)
            self.assertTrue(all(a[1] == "2" for a in refused))
            for _, _, body in done:
                summary = json.loads(body.decode().split("\n")[-2])
                self.assertEqual(summary["matches"], 0)
            # Once they are done, a search runs again.
            resp, _, summary = search(s, "399999")
            self.assertEqual((resp.status, summary["matches"]), (200, 1))


if __name__ == "__main__":
    unittest.main()
