"""SPEC §10: publishing a run to Redis Streams (--publish) and serving the runs from
stateless relays (--relay), against a real redis-server that each test starts itself on a
free port and stops by pid."""

import json
import os
import tempfile
import threading
import time
import unittest

from harness import RedisServer, Ssetail, lines_of, many_streams, wait_for

# Prints `line 1` … `line N`, one every 10 ms: a run long enough to break Redis in the middle.
def slow_lines(n):
    return ["sh", "-c", f"i=0; while [ $i -lt {n} ]; do i=$((i+1)); echo line $i; sleep 0.01; done"]


def run_id(redis, prefix="ssetail"):
    runs = redis.command("ZRANGE", f"{prefix}:runs", 0, -1)
    if len(runs) != 1:
        raise AssertionError(f"{prefix}:runs holds {runs}, not one run")
    return runs[0].decode()


def published(redis):
    """How many events the one run in Redis has so far (0 before it is indexed)."""
    runs = redis.command("ZRANGE", "ssetail:runs", 0, -1)
    return redis.command("XLEN", f"ssetail:run:{runs[0].decode()}") if runs else 0


def entries(redis, run, prefix="ssetail"):
    """The run's stream: [(seq, event, data as parsed JSON)], checking the 0-SEQ ids."""
    out = []
    for entry_id, fields in redis.command("XRANGE", f"{prefix}:run:{run}", "-", "+"):
        major, seq = entry_id.decode().split("-")
        if major != "0":
            raise AssertionError(f"entry id {entry_id!r} is not 0-SEQ")
        f = dict(zip(fields[::2], fields[1::2]))
        if sorted(f) != [b"data", b"event"]:
            raise AssertionError(f"entry {entry_id!r} has the fields {sorted(f)}")
        out.append((int(seq), f[b"event"].decode(), json.loads(f[b"data"])))
    return out


def stdout_texts(stream):
    return [data["text"] for _, event, data in stream if event == "stdout"]


def meta(redis, run, prefix="ssetail"):
    raw = redis.command("HGETALL", f"{prefix}:run:{run}:meta")
    return {k.decode(): v.decode() for k, v in zip(raw[::2], raw[1::2])}


def stderr_lines(s):
    return s.stderr().decode(errors="replace").splitlines()


class Publish(unittest.TestCase):
    def test_a_short_run_in_the_stream_index_and_meta(self):
        with RedisServer() as redis:
            script = 'echo one; echo "t\\"wo" >&2; printf three; exit 3'
            with Ssetail(["--publish", redis.url("ci"), "--publish-ttl", "1000", "--save",
                          "/dev/null", "--", "sh", "-c", script]) as s:
                self.assertEqual(s.wait(30), 3)
            self.assertEqual(redis.command("ZRANGE", "ssetail:runs", 0, -1), [])  # prefix "ci"
            run = run_id(redis, "ci")
            stream = entries(redis, run, "ci")
            self.assertEqual([(seq, event) for seq, event, _ in stream],
                             [(1, "start"), (2, "stdout"), (3, "stderr"), (4, "stdout"), (5, "exit")])
            start = stream[0][2]
            self.assertEqual(start["command"], ["sh", "-c", script])
            self.assertEqual(stream[1][2]["text"], "one")
            self.assertEqual(stream[2][2]["text"], 't"wo')
            self.assertEqual((stream[3][2]["text"], stream[3][2].get("partial")), ("three", True))
            self.assertEqual((stream[4][2]["code"], stream[4][2]["signal"]), (3, None))
            m = meta(redis, run, "ci")
            self.assertEqual(m["state"], "exited")
            self.assertEqual(json.loads(m["exit"]), stream[4][2])
            self.assertEqual(json.loads(m["command"]), start["command"])
            self.assertEqual((m["title"], m["started"]), (start["title"], start["started"]))
            # Score: the start time in ms since the epoch.
            score = float(redis.command("ZSCORE", "ci:runs", run))
            started = time.mktime(time.strptime(start["started"][:19], "%Y-%m-%dT%H:%M:%S"))
            started = (started - time.timezone) * 1000 + int(start["started"][20:23])
            self.assertEqual(score, started)
            for key in (f"ci:run:{run}", f"ci:run:{run}:meta"):
                self.assertTrue(990 <= redis.command("TTL", key) <= 1000, key)
            self.assertNotIn(b"warning", s.stderr())

    def test_the_stream_has_the_bytes_of_the_saved_record(self):
        with RedisServer() as redis:
            with tempfile.TemporaryDirectory() as tmp:
                path = f"{tmp}/run.jsonl"
                cmd = ["sh", "-c", "printf 'a\\tb\\r\\n<i>\\xc3\\xa9\\rcr\\n'; seq 3000 >&2"]
                with Ssetail(["--publish", redis.url(), "--save", path, "--"] + cmd) as s:
                    self.assertEqual(s.wait(30), 0)
                with open(path, "rb") as f:
                    record = [json.loads(line) for line in f]
            stream = entries(redis, run_id(redis))
            self.assertEqual(len(stream), 3005)
            self.assertEqual([(int(r["id"].split(".")[1]), r["event"], r["data"]) for r in record],
                             stream)

    def test_redis_down_at_start(self):
        with RedisServer(start=False) as redis:
            with Ssetail(["--publish", redis.url(), "--"] + slow_lines(300)) as s:
                time.sleep(1)
                self.assertTrue(wait_for(lambda: b"warning" in s.stderr(), 5), s.stderr())
                redis.start()
                self.assertEqual(s.wait(60), 0)
            stream = entries(redis, run_id(redis))
            self.assertEqual([seq for seq, _, _ in stream], list(range(1, 303)))
            self.assertEqual(stdout_texts(stream), [f"line {i}" for i in range(1, 301)])
            lines = stderr_lines(s)
            warnings = [l for l in lines if "warning: --publish" in l]
            self.assertEqual(len(warnings), 1, lines)
            self.assertIn("Connection refused", warnings[0])
            self.assertEqual(len([l for l in lines if "connected; resuming after event 0" in l]),
                             1, lines)

    def test_redis_killed_and_restarted_empty_mid_run_gets_every_line_once(self):
        # A tiny memory history: what Redis lacks after the restart comes from the record.
        with RedisServer() as redis:
            with Ssetail(["--history", "20", "--publish", redis.url(), "--"] +
                         slow_lines(400)) as s:
                self.assertTrue(wait_for(lambda: published(redis) > 50, 20))
                redis.kill()
                time.sleep(1.5)
                redis.start()
                self.assertEqual(s.wait(60), 0)
            run = run_id(redis)  # the index again, in the Redis that came back empty
            stream = entries(redis, run)
            self.assertEqual([seq for seq, _, _ in stream], list(range(1, 403)))
            self.assertEqual(stdout_texts(stream), [f"line {i}" for i in range(1, 401)])
            self.assertEqual(meta(redis, run)["state"], "exited")
            lines = stderr_lines(s)
            self.assertEqual(len([l for l in lines if "warning: --publish" in l]), 1, lines)
            self.assertEqual(len([l for l in lines if "connected; resuming after event 0" in l]),
                             1, lines)

    def test_a_dropped_connection_resumes_after_the_last_id_redis_has(self):
        with RedisServer() as redis:
            with Ssetail(["--history", "20", "--publish", redis.url(), "--"] +
                         slow_lines(300)) as s:
                self.assertTrue(wait_for(lambda: published(redis) > 50, 20))
                self.assertGreaterEqual(redis.command("CLIENT", "KILL", "TYPE", "normal"), 1)
                self.assertEqual(s.wait(60), 0)
            stream = entries(redis, run_id(redis))
            self.assertEqual([seq for seq, _, _ in stream], list(range(1, 303)))
            self.assertEqual(stdout_texts(stream), [f"line {i}" for i in range(1, 301)])
            lines = stderr_lines(s)
            resumed = [l for l in lines if "connected; resuming after event" in l]
            self.assertEqual(len(resumed), 1, lines)
            self.assertGreater(int(resumed[0].rsplit(" ", 1)[1]), 50)

    def test_a_stalled_redis_does_not_slow_the_command(self):
        with RedisServer() as redis:
            redis.pause()  # it accepts connections (the kernel does) but answers nothing
            with Ssetail(["--history", "1000", "--publish", redis.url(), "--", "sh", "-c",
                          "seq 100000; sleep 4"]) as s:
                # Capture goes on at full speed while the publisher waits for Redis.
                self.assertTrue(wait_for(
                    lambda: json.loads(s.get("/status")[1])["stdout_lines"] == 100000, 3))
                self.assertTrue(wait_for(lambda: b"no reply in time" in s.stderr(), 5),
                                s.stderr())
                redis.resume()
                self.assertEqual(s.wait(60), 0)
            stream = entries(redis, run_id(redis))
            self.assertEqual([seq for seq, _, _ in stream], list(range(1, 100003)))
            self.assertEqual(stdout_texts(stream), [str(i) for i in range(1, 100001)])
            lines = stderr_lines(s)
            self.assertEqual(len([l for l in lines if "warning: --publish" in l]), 1, lines)
            self.assertEqual(len([l for l in lines if "connected; resuming" in l]), 1, lines)

    def test_at_most_5_s_after_the_end_for_a_redis_that_stays_down(self):
        with RedisServer(start=False) as redis:
            begun = time.monotonic()
            with Ssetail(["--publish", redis.url(), "--", "sh", "-c", "echo hi; exit 4"]) as s:
                self.assertEqual(s.wait(30), 4)
            self.assertLess(time.monotonic() - begun, 9)
            lines = stderr_lines(s)
            self.assertEqual(len([l for l in lines if "Connection refused" in l]), 1, lines)
            self.assertEqual(len([l for l in lines if "gave up after 5 s" in l]), 1, lines)

    def test_a_bad_url_is_refused_before_serving(self):
        import subprocess
        from harness import SSETAIL
        for url, why in (("http://x", "not a redis:// URL"), ("redis://h:0", "port"),
                         ("redis://h:99999/p", "port")):
            r = subprocess.run([SSETAIL, "--publish", url, "--", "true"], capture_output=True,
                               timeout=10)
            self.assertEqual(r.returncode, 125, r)
            self.assertIn(why, r.stderr.decode())
            self.assertNotIn(b"serving", r.stderr)


def ids(events):
    return [int(e.id.rsplit(".", 1)[1]) for e in events if e.id]


def status(s, path="/status"):
    return json.loads(s.get(path)[1])


class Relay(unittest.TestCase):
    def test_two_relays_a_client_resumes_on_b_with_the_id_it_got_from_a(self):
        with RedisServer() as redis, \
                Ssetail(["--relay", redis.url()]) as a, Ssetail(["--relay", redis.url()]) as b, \
                Ssetail(["--linger=60", "--publish", redis.url(), "--"] + slow_lines(300)) as local:
            self.assertTrue(wait_for(lambda: published(redis) > 0, 10))
            run = run_id(redis)
            path = f"/runs/{run}/events"
            first = []
            with a.stream(path) as stream:
                for event in stream:
                    first.append(event)
                    if len(first) == 100:
                        break
            self.assertEqual(ids(first), list(range(1, 101)))
            last_id = first[-1].id
            self.assertEqual(last_id, f"{run}.100")
            # Relay B never served this client: it resumes from the id relay A gave it.
            _, rest = b.events(path, headers={"Last-Event-ID": last_id})
            self.assertEqual(ids(rest), list(range(101, 303)))
            self.assertFalse(any(e.type == "gap" for e in rest))
            self.assertEqual(lines_of(first + rest), [f"line {i}" for i in range(1, 301)])
            self.assertEqual(rest[-1].type, "exit")
            # Exactly ssetail's own: the same bytes in both formats, ids and all.
            self.assertTrue(wait_for(lambda: status(local)["state"] == "exited", 30))
            for query in ("", "?format=json"):
                own = local.get("/events" + query)[1]
                self.assertEqual(a.get(path + query)[1], own, query)
                self.assertEqual(b.get(path + query)[1], own, query)
            self.assertEqual(b.get(f"/runs/{run}/log")[1], local.get("/log")[1])
            # ?lastEventId= too, and 204 for a client that has the exit.
            _, tail = a.events(f"{path}?lastEventId={run}.298")
            self.assertEqual(ids(tail), [299, 300, 301, 302])
            resp, _ = b.get(path, headers={"Last-Event-ID": f"{run}.302"})
            self.assertEqual(resp.status, 204)
            relayed, own = status(b, f"/runs/{run}/status"), status(local)
            for key in ("command", "pid", "started", "title", "state", "exit", "stdout_lines"):
                self.assertEqual(relayed[key], own[key], key)

    def test_one_blocking_read_per_run_however_many_viewers(self):
        with RedisServer() as redis, Ssetail(["--relay", redis.url()]) as relay, \
                Ssetail(["--publish", redis.url(), "--"] + slow_lines(500)) as local:
            self.assertTrue(wait_for(lambda: published(redis) > 0, 10))
            run = run_id(redis)
            replies = []
            viewers = threading.Thread(
                target=lambda: replies.extend(many_streams(relay.port, 200,
                                                           f"/runs/{run}/events", 120)))
            viewers.start()
            try:
                self.assertTrue(wait_for(
                    lambda: status(relay, f"/runs/{run}/status")["clients"] == 200, 30))
                clients = redis.command("CLIENT", "LIST").decode().splitlines()
                readers = [c for c in clients if "cmd=xread" in c]
                self.assertEqual(len(readers), 1, clients)
                # The relay's connections: the run's reader and the one for lists and
                # lookups; the publisher's one. Not one per viewer.
                self.assertLessEqual(len(clients), 4, clients)
                self.assertEqual(status(relay, f"/runs/{run}/status")["state"], "running")
            finally:
                viewers.join(130)
            self.assertEqual(len(replies), 200)
            expected = [f"line {i}" for i in range(1, 501)]
            for reply in replies:
                self.assertTrue(reply.closed)
                self.assertEqual(lines_of(reply.events()), expected)

    def test_a_viewer_on_a_relay_gets_every_line_once_across_a_redis_restart(self):
        with RedisServer() as redis, Ssetail(["--relay", redis.url()]) as relay:
            with Ssetail(["--history", "20", "--publish", redis.url(), "--"] +
                         slow_lines(400)) as local:
                self.assertTrue(wait_for(lambda: published(redis) > 0, 10))
                run = run_id(redis)
                got = []
                viewer = threading.Thread(target=lambda: got.extend(
                    relay.events(f"/runs/{run}/events", timeout=90)[1]))
                viewer.start()
                self.assertTrue(wait_for(lambda: published(redis) > 50, 20))
                redis.kill()
                time.sleep(1.5)
                redis.start()  # empty: the publisher sends the run again from its record
                self.assertEqual(local.wait(60), 0)
                viewer.join(95)
            self.assertEqual(ids(got), list(range(1, 403)))
            self.assertEqual(lines_of(got), [f"line {i}" for i in range(1, 401)])
            relay.stop()
            lines = stderr_lines(relay)
            self.assertEqual(len([l for l in lines if f"run {run}" in l and "warning" in l]), 1,
                             lines)
            self.assertEqual(len([l for l in lines if f"reading run {run} again" in l]), 1, lines)

    def test_an_ended_run_nobody_watches_is_closed_and_opened_again_on_demand(self):
        # A relay's resources follow the live runs: once a run has exited and nobody has
        # watched it for the idle time (60 s; 400 ms here), its pump, record and History go.
        env = dict(os.environ, SSETAIL_TEST_RELAY_IDLE_MS="400")
        with RedisServer() as redis:
            with Ssetail(["--publish", redis.url(), "--", "seq", "3000"]) as s:
                self.assertEqual(s.wait(30), 0)
            run = run_id(redis)
            path = f"/runs/{run}/events"
            with Ssetail(["--relay", redis.url()], env=env) as relay:
                pid = relay.proc.pid

                def threads_and_fds():
                    return (len(os.listdir(f"/proc/{pid}/task")),
                            len(os.listdir(f"/proc/{pid}/fd")))

                self.assertEqual(len(status(relay, "/runs")["runs"]), 1)  # the lists' client
                time.sleep(0.3)
                idle = threads_and_fds()
                got = []
                watched = None
                with relay.stream(path) as stream:
                    for event in stream:
                        got.append(event)
                        if len(got) == 100:
                            watched = threads_and_fds()
                self.assertGreater(watched[0], idle[0], (watched, idle))
                self.assertGreater(watched[1], idle[1], (watched, idle))
                self.assertEqual(ids(got), list(range(1, 3003)))
                self.assertEqual(lines_of(got), [str(i) for i in range(1, 3001)])
                # Nobody watches it now: back to what the relay had before it was opened.
                self.assertTrue(wait_for(lambda: threads_and_fds() <= idle, 10),
                                (threads_and_fds(), idle))
                # Asked again, it is opened again from Redis: the whole run, same ids.
                _, again = relay.events(path)
                self.assertEqual(ids(again), list(range(1, 3003)))
                self.assertEqual(lines_of(again), [str(i) for i in range(1, 3001)])
                self.assertTrue(wait_for(lambda: threads_and_fds() <= idle, 10),
                                (threads_and_fds(), idle))
                relay.stop()
                self.assertEqual([l for l in stderr_lines(relay) if "warning" in l], [])

    def test_entries_redis_trimmed_are_a_gap(self):
        with RedisServer() as redis:
            with Ssetail(["--publish", redis.url(), "--", "seq", "1000"]) as s:
                self.assertEqual(s.wait(30), 0)
            run = run_id(redis)
            redis.command("XTRIM", f"ssetail:run:{run}", "MAXLEN", "100")  # 903..1002 stay
            with Ssetail(["--relay", redis.url()]) as relay:
                _, events = relay.events(f"/runs/{run}/events")
                self.assertEqual(events[0].type, "start")  # from the meta hash
                self.assertEqual(events[0].json()["title"], "seq 1000")
                self.assertEqual((events[1].type, events[1].json()), ("gap", {"missed": 901}))
                self.assertEqual(ids(events), [1] + list(range(903, 1003)))
                self.assertEqual(lines_of(events), [str(i) for i in range(902, 1001)])
                _, events = relay.events(f"/runs/{run}/events",
                                         headers={"Last-Event-ID": f"{run}.500"})
                self.assertEqual((events[0].type, events[0].json()), ("gap", {"missed": 402}))
                self.assertEqual(ids(events), list(range(903, 1003)))

    def test_the_list_newest_first_with_state_and_exit_status(self):
        with RedisServer() as redis:
            with Ssetail(["--publish", redis.url(), "--title", "<b>first</b>", "--", "sh", "-c",
                          "exit 3"]) as s:
                self.assertEqual(s.wait(30), 3)
            with Ssetail(["--relay", redis.url()]) as relay, \
                    Ssetail(["--publish", redis.url(), "--title", "second", "--", "sleep",
                             "30"]) as running:
                self.assertTrue(wait_for(lambda: len(status(relay, "/runs")["runs"]) == 2, 10))
                runs = status(relay, "/runs")["runs"]
                self.assertEqual([r["title"] for r in runs], ["second", "<b>first</b>"])
                self.assertEqual([r["state"] for r in runs], ["running", "exited"])
                self.assertEqual((runs[0]["exit"], runs[1]["exit"]["code"]), (None, 3))
                resp, html = relay.get("/")
                self.assertEqual(resp.status, 200)
                html = html.decode()
                self.assertIn("&lt;b&gt;first&lt;/b&gt;", html)  # escaped, never markup
                self.assertNotIn("<b>first", html)
                self.assertLess(html.index("second"), html.index("first"))
                self.assertIn(f'href="runs/{runs[1]["id"]}/"', html)
                self.assertIn("exit 3", html)
                # A run's page is ssetail's page; its events are relative to it.
                resp, page = relay.get(f"/runs/{runs[0]['id']}/")
                self.assertEqual(resp.status, 200)
                self.assertEqual(page, running.get("/")[1])
                resp, _ = relay.get(f"/runs/{runs[0]['id']}")
                self.assertEqual((resp.status, resp.getheader("Location")),
                                 (301, f"{runs[0]['id']}/"))
                self.assertEqual(relay.get("/runs/nosuchrun/status")[0].status, 404)
                running.stop()
                self.assertTrue(wait_for(
                    lambda: status(relay, "/runs")["runs"][0]["state"] == "exited", 10))

    def test_token_host_cors_max_clients_and_heartbeats_as_ssetail_has_them(self):
        with RedisServer() as redis, tempfile.TemporaryDirectory() as tmp:
            token = os.path.join(tmp, "token")
            with open(token, "w") as f:
                f.write("s3cret\n")
            with Ssetail(["--publish", redis.url(), "--", "sleep", "30"]) as running, \
                    Ssetail(["--relay", redis.url(), "--token-file", token, "--max-clients", "1",
                             "--heartbeat", "1", "--cors", "https://ci.example"]) as relay:
                self.assertTrue(wait_for(lambda: published(redis) > 0, 10))
                path = f"/runs/{run_id(redis)}/events"
                auth = {"Authorization": "Bearer s3cret"}
                self.assertEqual(relay.get(path)[0].status, 401)
                self.assertEqual(relay.get("/runs")[0].status, 401)
                self.assertEqual(relay.get(path, {**auth, "Host": "evil.example"})[0].status, 403)
                resp, _ = relay.get("/runs", {**auth, "Origin": "https://ci.example"})
                self.assertEqual(resp.getheader("Access-Control-Allow-Origin"), "https://ci.example")
                with relay.stream(path, headers=auth, timeout=5) as stream:
                    got = []
                    for event in stream:
                        got.append(event)
                        break
                    self.assertEqual(got[0].type, "start")
                    self.assertEqual(relay.get(path, auth)[0].status, 503)  # --max-clients 1
                    raw = stream.resp.read1(65536)
                    deadline = time.monotonic() + 3
                    while b": ping" not in raw and time.monotonic() < deadline:
                        raw += stream.resp.read1(65536)
                    self.assertIn(b": ping", raw)
                running.stop()


if __name__ == "__main__":
    unittest.main()
