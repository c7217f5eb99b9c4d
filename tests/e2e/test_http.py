"""SPEC §3-§4: events, ids, resume, headers, /status, /log, errors, limits, lifetime."""

import gzip
import json
import os
import tempfile
import time
import unittest

from harness import Ssetail, env_outside_ci, lines_of, open_raw, output, raw_request, read_reply, wait_for

NUMBERS = "for i in $(seq 1 {n}); do echo line$i; done"


class Stream(unittest.TestCase):
    def test_must_show_1_start_stdout_stderr_exit(self):
        s = Ssetail(["--", "sh", "-c", "sleep 0.3; echo out; echo err >&2; exit 3"])
        _, events = s.events()
        self.assertEqual(s.wait(), 3)
        self.assertEqual([e.type for e in events], ["start", "stdout", "stderr", "exit"])
        start = events[0].json()
        self.assertEqual(start["command"], ["sh", "-c", "sleep 0.3; echo out; echo err >&2; exit 3"])
        self.assertIsInstance(start["pid"], int)
        self.assertRegex(start["started"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(start["title"], "sh -c 'sleep 0.3; echo out; echo err >&2; exit 3'")
        self.assertEqual(output(events), [("stdout", "out"), ("stderr", "err")])
        exit_data = events[-1].json()
        self.assertEqual(exit_data["code"], 3)
        self.assertIsNone(exit_data["signal"])
        self.assertGreaterEqual(exit_data["duration_ms"], 250)

    def test_headers_and_preamble(self):
        with Ssetail(["--", "sh", "-c", "sleep 5"]) as s:
            reply = raw_request(s.port, b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                b"Accept-Encoding: gzip, deflate, br\r\n\r\n",
                                until=lambda r: r.events())
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.headers.get("content-type"), "text/event-stream")
        self.assertEqual(reply.headers.get("cache-control"), "no-cache, no-transform")
        self.assertEqual(reply.headers.get("connection"), "keep-alive")
        self.assertEqual(reply.headers.get("x-accel-buffering"), "no")
        self.assertNotIn("content-encoding", reply.headers)
        self.assertEqual(reply.sse.retry, 2000)
        self.assertEqual(reply.sse.comments[:1], ["ssetail"])
        self.assertEqual([e.type for e in reply.events()], ["start"])

    def test_json_format(self):
        with Ssetail(["--linger", "--", "sh", "-c", "echo hi; echo there >&2"]) as s:
            _, events = s.events("/events?format=json")
        self.assertEqual(events[0].type, "start")
        self.assertEqual(events[1].json()["text"], "hi")
        self.assertIsInstance(events[1].json()["t"], int)
        self.assertEqual(events[2].json()["text"], "there")
        self.assertEqual(events[2].type, "stderr")
        self.assertIn("code", events[3].json())

    def test_heartbeat_comments_on_idle_streams(self):
        with Ssetail(["--heartbeat", "1", "--", "sh", "-c", "sleep 10"]) as s:
            reply = raw_request(s.port, b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                                timeout=10, until=lambda r: r.sse.comments.count("ping") >= 2)
        self.assertGreaterEqual(reply.sse.comments.count("ping"), 2, reply)


class Replay(unittest.TestCase):
    def setUp(self):
        self.s = Ssetail(["--linger", "--", "sh", "-c", NUMBERS.format(n=10)])
        _, self.events = self.s.events()

    def tearDown(self):
        self.s.stop()

    def test_a_late_client_gets_the_whole_history(self):
        self.assertEqual(lines_of(self.events), [f"line{i}" for i in range(1, 11)])
        self.assertEqual(self.events[-1].type, "exit")

    def test_last_event_id_resumes_right_after_it(self):
        _, events = self.s.events(headers={"Last-Event-ID": self.events[4].id})
        self.assertEqual([e.id for e in events], [e.id for e in self.events[5:]])
        _, events = self.s.events(f"/events?lastEventId={self.events[7].id}")
        self.assertEqual([e.id for e in events], [e.id for e in self.events[8:]])

    def test_another_runs_id_replays_from_the_start(self):
        _, events = self.s.events(headers={"Last-Event-ID": "otherrun.5"})
        self.assertEqual([e.id for e in events], [e.id for e in self.events])
        _, events = self.s.events(headers={"Last-Event-ID": "garbage"})
        self.assertEqual(len(events), len(self.events))

    def test_after_exit_a_client_that_has_everything_gets_204(self):
        resp, events = self.s.events(headers={"Last-Event-ID": self.events[-1].id})
        self.assertEqual(resp.status, 204)
        self.assertEqual(events, [])

    def test_status(self):
        resp, body = self.s.get("/status")
        status = json.loads(body)
        self.assertEqual(resp.getheader("Content-Type"), "application/json")
        self.assertEqual(status["state"], "exited")
        self.assertEqual(status["exit"]["code"], 0)
        self.assertEqual(status["stdout_lines"], 10)
        self.assertEqual(status["stderr_lines"], 0)
        self.assertEqual(status["dropped"], 0)
        self.assertEqual(status["command"][0], "sh")
        self.assertIn("pid", status)
        self.assertIn("started", status)
        self.assertIn("clients", status)
        self.assertIsNone(status["source_url"])
        self.assertEqual(status["source_roots"], [])

    def test_status_carries_the_source_url_template_for_the_page(self):
        template = "https://example.test/r/blob/main/{file}#L{line}"
        with Ssetail(["--linger=30", "--source-url", template, "--", "true"]) as s:
            self.assertEqual(json.loads(s.get("/status")[1])["source_url"], template)

    def test_status_carries_the_source_roots_for_the_page(self):
        template = "https://example.test/r/blob/main/{file}#L{line}"
        args = ["--source-url", template, "--source-root", "/home/me/proj/", "--source-root", "/b"]
        with Ssetail(["--linger=30"] + args + ["--", "true"]) as s:
            self.assertEqual(json.loads(s.get("/status")[1])["source_roots"],
                             ["/home/me/proj", "/b"])

    def test_under_github_actions_the_page_gets_the_commits_links_and_the_job_title(self):
        with tempfile.TemporaryDirectory() as workspace:
            env = env_outside_ci(
                GITHUB_ACTIONS="true", GITHUB_SERVER_URL="https://github.com",
                GITHUB_REPOSITORY="o/r", GITHUB_SHA="abc", GITHUB_WORKSPACE=workspace,
                GITHUB_WORKFLOW="CI", GITHUB_JOB="build")
            script = f"echo '{os.path.join(workspace, 'src/a.py')}:3: error: bad'"
            with Ssetail(["--linger=30", "--", "sh", "-c", script], env=env) as s:
                self.assertTrue(wait_for(lambda: json.loads(s.get("/status")[1])["state"] == "exited"))
                status = json.loads(s.get("/status")[1])
                self.assertEqual(status["source_url"],
                                 "https://github.com/o/r/blob/abc/{file}#L{line}")
                self.assertEqual(status["source_roots"], [workspace])
                self.assertEqual(status["title"], "CI / build")
            # Options given win over the environment's defaults, each its own.
            mine = "https://mirror.example/r/{file}#L{line}"
            with Ssetail(["--linger=30", "--title", "mine", "--source-url", mine, "--", "true"],
                         env=env) as s:
                self.assertTrue(wait_for(lambda: json.loads(s.get("/status")[1])["state"] == "exited"))
                status = json.loads(s.get("/status")[1])
                self.assertEqual(status["source_url"], mine)
                self.assertEqual(status["source_roots"], [workspace])
                self.assertEqual(status["title"], "mine")

    def test_log(self):
        resp, body = self.s.get("/log")
        self.assertEqual(resp.getheader("Content-Type"), "text/plain; charset=utf-8")
        self.assertEqual(body.decode(), "".join(f"line{i}\n" for i in range(1, 11)))

    def test_unknown_paths_are_404_and_other_methods_405(self):
        self.assertEqual(self.s.get("/nope")[0].status, 404)
        self.assertEqual(self.s.get("/events/x")[0].status, 404)
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            with self.subTest(method=method):
                self.assertEqual(self.s.get("/events", method=method)[0].status, 405)
                self.assertEqual(self.s.get("/", method=method)[0].status, 405)
        resp, body = self.s.get("/status", method="HEAD")
        self.assertEqual(resp.status, 200)
        self.assertEqual(body, b"")

    def test_page_is_served_with_security_headers(self):
        resp, body = self.s.get("/")
        self.assertEqual(resp.status, 200)
        self.assertTrue(resp.getheader("Content-Type").startswith("text/html"))
        self.assertEqual(resp.getheader("Content-Security-Policy"), "default-src 'self'")
        self.assertEqual(resp.getheader("X-Content-Type-Options"), "nosniff")
        self.assertEqual(resp.getheader("Referrer-Policy"), "no-referrer")
        self.assertIn(b"<html", body.lower())

    def test_page_files_come_gzipd_when_the_client_takes_gzip_and_as_they_are_otherwise(self):
        # A browser's Accept-Encoding names br too: the files are gzip'd once, not compressed
        # with brotli on every request (10-30 ms a file, and the page asks for thirty-odd).
        web = os.path.join(os.path.dirname(__file__), "..", "..", "web")
        for name in ["app.js", "style.css"]:
            with open(os.path.join(web, name), "rb") as f:
                plain = f.read()
            resp, body = self.s.get("/" + name, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.getheader("Content-Encoding"), "gzip")
            self.assertEqual(resp.getheader("Vary"), "Accept-Encoding")
            self.assertEqual(gzip.decompress(body), plain)
            for accept in [None, "br"]:
                resp, body = self.s.get("/" + name, headers={"Accept-Encoding": accept} if accept else None)
                self.assertIsNone(resp.getheader("Content-Encoding"), accept)
                self.assertEqual(body, plain)


class History(unittest.TestCase):
    """The memory history alone (--no-record): what the first release did, and what a
    client gets when the record cannot help (test_record.py has the rest)."""

    def test_an_id_older_than_history_gets_gap_then_the_oldest(self):
        with Ssetail(["--no-record", "--linger", "--history", "5", "--", "sh", "-c", NUMBERS.format(n=20)]) as s:
            self.assertTrue(wait_for(lambda: json.loads(s.get("/status")[1])["state"] == "exited", 30),
                            "the command did not exit")
            _, events = s.events()
            self.assertEqual(events[0].type, "start")  # pinned
            self.assertEqual(events[1].type, "gap")
            # Five lines and `exit` are kept: like `start`, `exit` does not count against it.
            self.assertEqual(events[1].json(), {"missed": 15})
            self.assertIsNone(events[1].id)
            self.assertEqual(lines_of(events), ["line16", "line17", "line18", "line19", "line20"])
            self.assertEqual(events[-1].type, "exit")
            run = events[0].id.split(".")[0]
            _, resumed = s.events(headers={"Last-Event-ID": f"{run}.3"})
            self.assertEqual(resumed[0].json(), {"missed": 13})
            self.assertEqual(resumed[1].data, "line16")
            status = json.loads(s.get("/status")[1])
            self.assertEqual(status["dropped"], 15)
            self.assertEqual(s.get("/log")[1], b"line16\nline17\nline18\nline19\nline20\n")

    def test_history_bytes_caps_it_too(self):
        with Ssetail(["--no-record", "--linger", "--history-bytes", "1K", "--", "sh", "-c", NUMBERS.format(n=200)]) as s:
            self.assertTrue(wait_for(lambda: json.loads(s.get("/status")[1])["state"] == "exited", 30),
                            "the command did not exit")
            _, events = s.events()
            kept = lines_of(events)
            self.assertLess(len(kept), 40)
            self.assertEqual(kept[-1], "line200")
            self.assertEqual(events[1].json()["missed"] + len(kept), 200)


class Clients(unittest.TestCase):
    def test_max_clients_gets_503_with_retry_after_and_slots_are_freed(self):
        with Ssetail(["--max-clients", "2", "--heartbeat", "1", "--", "sh", "-c", "sleep 30"]) as s:
            holders = [open_raw(s.port, b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                       for _ in range(2)]
            for h in holders:
                reply = read_reply(h, until=lambda r: r.events())
                self.assertEqual(reply.status, 200, reply)  # it holds a slot
            resp, _ = s.get("/events")
            self.assertEqual(resp.status, 503)
            self.assertEqual(resp.getheader("Retry-After"), "2")
            # A refused client does not hold a descriptor: the 503 closes its connection
            # at once, not after the 5 s keep-alive (a keep-alive request, read for 3 s).
            refused = raw_request(s.port, b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                                  timeout=3)
            self.assertEqual(refused.status, 503, refused)
            self.assertTrue(refused.closed, refused)
            self.assertEqual(refused.headers.get("connection"), "close", refused)
            self.assertEqual(s.get("/status")[0].status, 200)  # the page still works
            holders[0].close()
            self.assertTrue(wait_for(lambda: json.loads(s.get("/status")[1])["clients"] == 1, 3))
            conn = s.connect()
            conn.request("GET", "/events")
            self.assertEqual(conn.getresponse().status, 200)
            conn.close()
            holders[1].close()

    def test_exits_once_every_client_has_exit(self):
        s = Ssetail(["--", "sh", "-c", "sleep 0.5; echo done"])
        _, events = s.events()
        finished = time.monotonic()
        self.assertEqual(s.wait(10), 0)
        # well before the 2 s it would wait for a client that does not have `exit`
        self.assertLess(time.monotonic() - finished, 1.8)
        self.assertEqual(events[-1].type, "exit")

    def test_a_stuck_client_delays_the_exit_by_2_seconds_at_most(self):
        s = Ssetail(["--", "sh", "-c", "sleep 0.3; seq 300000"])
        stuck = open_raw(s.port, b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", rcvbuf=4096)
        self.assertTrue(wait_for(lambda: json.loads(s.get("/status")[1])["state"] == "exited", 60))
        ended = time.monotonic()
        self.assertEqual(s.wait(20), 0)
        # 2 s for the clients, not 2 s plus the stuck write's 5 s timeout
        self.assertLess(time.monotonic() - ended, 4)
        stuck.close()

    def test_linger_seconds(self):
        s = Ssetail(["--linger=1", "--", "true"])
        started = time.monotonic()
        self.assertEqual(s.wait(10), 0)
        self.assertGreater(time.monotonic() - started, 0.9)

    def test_linger_until_sigterm_then_the_commands_status(self):
        s = Ssetail(["--linger", "--", "sh", "-c", "exit 4"])
        _, events = s.events()
        time.sleep(0.5)
        self.assertIsNone(s.proc.poll())
        s.stop()
        self.assertEqual(s.proc.returncode, 4)


if __name__ == "__main__":
    unittest.main()
