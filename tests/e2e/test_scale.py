"""Many clients, many lines, slow clients (SPEC §4 "Slow and many clients")."""

import json
import os
import re
import socket
import tempfile
import threading
import time
import unittest

from harness import Ssetail, many_streams, stdout_data, wait_for


def numbers(n):
    return [str(i).encode() for i in range(1, n + 1)]


class ManyLines(unittest.TestCase):
    def test_200000_lines_reach_two_clients_and_a_late_third_and_log(self):
        n = 200000
        with Ssetail(["--linger", "--history", "300000", "--", "sh", "-c", f"sleep 1; seq {n}"]) as s:
            bodies = many_streams(s.port, 2)
            for body in bodies:
                self.assertEqual(stdout_data(body), numbers(n))  # complete, in order, once
                self.assertIn(b"\nevent: exit\n", body)
            late = many_streams(s.port, 1)[0]
            self.assertEqual(stdout_data(late), numbers(n))
            self.assertNotIn(b"event: gap", late)
            log = s.get("/log")[1]
            self.assertEqual(log.split(b"\n")[:-1], numbers(n))

    def test_200_clients_each_receive_all_of_10000_lines(self):
        n = 10000
        # --linger: on a slow (sanitizer) build the 2 s after exit may not be enough for all.
        with Ssetail(["--linger", "--max-clients", "300", "--", "sh", "-c", f"sleep 2; seq {n}"]) as s:
            bodies = many_streams(s.port, 200)
        complete = sum(1 for body in bodies if stdout_data(body) == numbers(n))
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
                reader.join(120)
        self.assertEqual([stdout_data(body) == numbers(1000) for body in result[0]], [True] * 150)


class SlowClients(unittest.TestCase):
    def test_a_stalled_client_neither_blocks_the_command_nor_other_clients(self):
        n = 300000
        with Ssetail(["--history", "1000", "--", "sh", "-c", f"sleep 1; seq {n}"]) as s:
            stalled = socket.socket()
            stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stalled.connect(("127.0.0.1", s.port))
            stalled.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            body = many_streams(s.port, 1)[0]
            self.assertEqual(s.wait(30), 0)
            stalled.close()
        # The reading client may have been lapped by the small history: then it was told.
        received = stdout_data(body)
        self.assertEqual(received[-1], str(n).encode())
        missed = sum(int(m) for m in re.findall(rb'"missed":(\d+)', body))
        self.assertEqual(len(received) + missed, n)
        self.assertEqual([int(x) for x in received], sorted(int(x) for x in received))

    def test_a_client_that_stops_reading_is_dropped_and_its_slot_freed(self):
        # Megabytes of output against a client that reads nothing: after 5 s without progress
        # its stream ends (it may reconnect and resume), even though ssetail lingers.
        with Ssetail(["--linger", "--max-clients", "1", "--", "sh", "-c", "sleep 1; seq 500000"]) as s:
            stalled = socket.socket()
            stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            stalled.connect(("127.0.0.1", s.port))
            stalled.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            clients = lambda: json.loads(s.get("/status")[1])["clients"]
            self.assertTrue(wait_for(lambda: clients() == 1, 10))
            self.assertTrue(wait_for(lambda: json.loads(s.get("/status")[1])["state"] == "exited", 60))
            self.assertTrue(wait_for(lambda: clients() == 0, 15))
            self.assertEqual(len(many_streams(s.port, 1)), 1)  # the slot is free again
            stalled.close()

    def test_a_client_that_falls_behind_gets_gap_and_goes_on(self):
        n = 50000
        with Ssetail(["--linger", "--history", "100", "--", "sh", "-c", f"sleep 0.5; seq {n}"]) as s:
            conn = socket.create_connection(("127.0.0.1", s.port))
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            conn.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            wait_for(lambda: json.loads(s.get("/status")[1])["state"] == "exited", 20)
            chunks = []
            while True:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
            conn.close()
        body = b"".join(chunks)
        self.assertIn(b"event: gap", body)
        self.assertIn(b"data: %d\n" % n, body)


if __name__ == "__main__":
    unittest.main()
