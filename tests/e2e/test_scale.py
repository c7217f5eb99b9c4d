"""Many clients, many lines, slow clients (SPEC §4 "Slow and many clients")."""

import json
import os
import tempfile
import threading
import time
import unittest

from harness import Ssetail, lines_of, many_streams, open_raw, raw_request, read_reply, wait_for


def numbers(n):
    return [str(i) for i in range(1, n + 1)]


def difference(got, expected):
    """None if the lists are equal, else a short account of where they differ (unittest's
    own diff of two lists of 200000 lines takes minutes)."""
    if got == expected:
        return None
    i = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
    return (f"{len(got)} lines, {len(expected)} expected; first difference at {i}: "
            f"{got[max(0, i - 2):i + 3]} instead of {expected[max(0, i - 2):i + 3]}")


def stdout_lines(replies):
    """The stdout lines of each stream read to its end (each must be a complete 200 stream).
    Identical bodies decode identically: each distinct one is parsed once."""
    decoded = {}
    for reply in replies:
        assert reply.status == 200 and reply.closed and reply.last_chunk, reply
        if reply.body not in decoded:
            decoded[reply.body] = lines_of(reply.events())
    return [decoded[reply.body] for reply in replies]


class ManyLines(unittest.TestCase):
    def test_200000_lines_reach_two_clients_and_a_late_third_and_log(self):
        n = 200000
        with Ssetail(["--linger", "--history", "300000", "--", "sh", "-c", f"sleep 1; seq {n}"]) as s:
            replies = many_streams(s.port, 2)
            for reply, lines in zip(replies, stdout_lines(replies)):
                self.assertIsNone(difference(lines, numbers(n)))  # complete, in order, once
                self.assertEqual(reply.events()[-1].type, "exit")
            late = many_streams(s.port, 1)
            self.assertIsNone(difference(stdout_lines(late)[0], numbers(n)))
            self.assertNotIn("gap", [e.type for e in late[0].events()])
            log = s.get("/log")[1]
            self.assertIsNone(difference(log.decode().split("\n")[:-1], numbers(n)))

    def test_200_clients_each_receive_all_of_10000_lines(self):
        n = 10000
        # --linger: on a slow (sanitizer) build the 2 s after exit may not be enough for all.
        with Ssetail(["--linger", "--max-clients", "300", "--", "sh", "-c", f"sleep 2; seq {n}"]) as s:
            replies = many_streams(s.port, 200)
        complete = sum(1 for lines in stdout_lines(replies) if lines == numbers(n))
        self.assertEqual(complete, 200)


class ManyClients(unittest.TestCase):
    def test_open_streams_do_not_hold_a_thread_each(self):
        # All streams are written by one thread: once the request threads have gone idle,
        # 150 open streams leave ssetail with a handful of threads, and all still get lines.
        with tempfile.TemporaryDirectory() as tmp:
            go = os.path.join(tmp, "go")
            script = f"while [ ! -e {go} ]; do sleep 0.05; done; seq 1000"
            with Ssetail(["--max-clients", "200", "--", "sh", "-c", script]) as s:
                result = []
                reader = threading.Thread(target=lambda: result.append(many_streams(s.port, 150)))
                reader.start()
                self.assertTrue(wait_for(
                    lambda: json.loads(s.get("/status")[1])["clients"] == 150, 30))
                threads = lambda: len(os.listdir(f"/proc/{s.proc.pid}/task"))
                self.assertTrue(wait_for(lambda: threads() < 20, 15), threads())
                open(go, "w").close()
                reader.join(130)
                self.assertFalse(reader.is_alive(), "the 150 streams were not read within 130 s")
        self.assertEqual([lines == numbers(1000) for lines in stdout_lines(result[0])], [True] * 150)


class SlowClients(unittest.TestCase):
    def test_a_stalled_client_neither_blocks_the_command_nor_other_clients(self):
        n = 300000
        # --linger: the reading client, lapped by the small history, reads on from the record,
        # which may take longer than the 2 s ssetail gives clients after the run (sanitizers).
        with Ssetail(["--linger", "--history", "1000", "--", "sh", "-c", f"sleep 1; seq {n}"]) as s:
            stalled = open_raw(s.port, b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", rcvbuf=4096)
            reading = many_streams(s.port, 1)
            self.assertEqual(json.loads(s.get("/status")[1])["exit"]["code"], 0)
            stalled.close()
        # With --no-record it may have been lapped by the small history: then it was told.
        [received] = stdout_lines(reading)
        self.assertEqual(received[-1], str(n))
        missed = sum(e.json()["missed"] for e in reading[0].events() if e.type == "gap")
        self.assertEqual(len(received) + missed, n)
        self.assertEqual([int(x) for x in received], sorted(int(x) for x in received))

    def test_a_client_that_stops_reading_is_dropped_and_its_slot_freed(self):
        # Megabytes of output against a client that reads nothing: after 5 s without progress
        # its stream ends (it may reconnect and resume), even though ssetail lingers.
        with Ssetail(["--linger", "--max-clients", "1", "--", "sh", "-c", "sleep 1; seq 500000"]) as s:
            stalled = open_raw(s.port, b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", rcvbuf=4096)
            clients = lambda: json.loads(s.get("/status")[1])["clients"]
            self.assertTrue(wait_for(lambda: clients() == 1, 10))
            self.assertTrue(wait_for(lambda: json.loads(s.get("/status")[1])["state"] == "exited", 60))
            self.assertTrue(wait_for(lambda: clients() == 0, 15))
            again = raw_request(s.port, b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                                until=lambda r: r.status is not None)
            self.assertEqual(again.status, 200, f"the slot is not free again: {again}")  # not 503
            stalled.close()

    def slow_client(self, *options, n=50000):
        args = list(options) + ["--linger", "--history", "100", "--", "sh", "-c", f"sleep 0.5; seq {n}"]
        with Ssetail(args) as s:
            conn = open_raw(s.port, b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                            rcvbuf=4096)
            self.assertTrue(wait_for(lambda: json.loads(s.get("/status")[1])["state"] == "exited", 20),
                            "the command did not exit")
            reply = read_reply(conn, timeout=30)
            conn.close()
        self.assertTrue(reply.closed and reply.last_chunk, f"the stream did not end: {reply}")
        return reply.events()

    def test_a_client_that_falls_behind_gets_gap_and_goes_on(self):
        events = self.slow_client("--no-record")  # memory only
        self.assertTrue(any(e.type == "gap" for e in events))
        self.assertEqual(lines_of(events)[-1], "50000")

    def test_a_client_that_falls_behind_memory_reads_on_from_the_record(self):
        events = self.slow_client()
        self.assertFalse(any(e.type == "gap" for e in events))
        self.assertEqual(lines_of(events), [str(i) for i in range(1, 50001)])

if __name__ == "__main__":
    unittest.main()
