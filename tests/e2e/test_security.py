"""SPEC §5: token, Host check, CORS, limits, IPv6."""

import os
import socket
import subprocess
import tempfile
import time
import unittest

from harness import SSETAIL, Ssetail, lines_of, raw_request

TOKEN = "tok-3n/+ x"  # characters that need encoding in a URL and a cookie
PATHS = ["/", "/app.js", "/find.js", "/style.css", "/events", "/status", "/log", "/search?q=secret"]


def token_env(token=TOKEN):
    env = dict(os.environ)
    env["SSETAIL_TOKEN"] = token
    return env


class Token(unittest.TestCase):
    def setUp(self):
        self.s = Ssetail(["--linger", "--", "sh", "-c", "echo secret-output"], env=token_env())

    def tearDown(self):
        self.s.stop()

    def test_the_serving_url_carries_the_token(self):
        self.assertIn("?token=tok-3n%2F%2B%20x", self.s.serving_line)

    def test_without_the_token_everything_is_401_with_no_data(self):
        for path in PATHS:
            with self.subTest(path=path):
                resp, body = self.s.get(path)
                self.assertEqual(resp.status, 401)
                self.assertNotIn(b"secret-output", body)
                self.assertNotIn(b"<html", body.lower())

    def test_a_wrong_token_is_401(self):
        self.assertEqual(self.s.get("/?token=nope")[0].status, 401)
        self.assertEqual(self.s.get("/status", {"Authorization": "Bearer nope"})[0].status, 401)
        self.assertEqual(self.s.get("/status", {"Cookie": f"ssetail-token-{self.s.port}=nope"})[0].status, 401)

    def test_the_right_token_sets_a_cookie_and_redirects_without_it(self):
        resp, _ = self.s.get("/?token=tok-3n%2F%2B%20x")
        self.assertEqual(resp.status, 303)
        self.assertEqual(resp.getheader("Location"), "./")
        cookie = resp.getheader("Set-Cookie")
        self.assertIn("HttpOnly", cookie)
        self.assertIn("SameSite=Strict", cookie)
        self.assertNotIn("Secure", cookie)
        name_value = cookie.split(";")[0]
        for path in PATHS:
            with self.subTest(path=path):
                resp, body = self.s.get(path, {"Cookie": name_value})
                self.assertEqual(resp.status, 200)
        resp, _ = self.s.get("/?token=tok-3n%2F%2B%20x", {"X-Forwarded-Proto": "https"})
        self.assertIn("; Secure", resp.getheader("Set-Cookie"))

    def test_bearer_admits(self):
        resp, events = self.s.events(headers={"Authorization": f"Bearer {TOKEN}"})
        self.assertEqual(resp.status, 200)
        self.assertEqual(lines_of(events), ["secret-output"])

    def test_the_token_is_not_in_ssetails_output(self):
        # Both requests must have been handled, or their absence from the output proves nothing.
        self.assertEqual(self.s.get("/?token=wrong")[0].status, 401)
        self.assertEqual(self.s.get("/status", {"Authorization": f"Bearer {TOKEN}"})[0].status, 200)
        self.s.stop()
        out = self.s.stdout() + self.s.stderr()
        self.assertNotIn(TOKEN.encode(), out)
        self.assertNotIn(b"tok-3n", out)


class TokenSources(unittest.TestCase):
    def test_token_file(self):
        with tempfile.NamedTemporaryFile("w", delete=False) as f:
            f.write("from-file\n")
        try:
            with Ssetail(["--linger", "--token-file", f.name, "--", "true"]) as s:
                self.assertIn("?token=from-file", s.serving_line)
                self.assertEqual(s.get("/status", {"Authorization": "Bearer from-file"})[0].status, 200)
        finally:
            os.unlink(f.name)

    def test_empty_or_unreadable_token_is_125(self):
        with tempfile.NamedTemporaryFile("w") as f:
            f.write(" \n")
            f.flush()
            r = subprocess.run([SSETAIL, "--port", "0", "--token-file", f.name, "true"],
                               capture_output=True, timeout=30)
            self.assertEqual(r.returncode, 125)
            self.assertIn(b"empty", r.stderr)
        r = subprocess.run([SSETAIL, "--port", "0", "--token-file", "/no/such/file", "true"],
                           capture_output=True, timeout=30)
        self.assertEqual(r.returncode, 125)
        self.assertEqual(r.stderr.count(b"\n"), 1)
        r = subprocess.run([SSETAIL, "--port", "0", "true"], capture_output=True, timeout=30,
                           env=token_env(""))
        self.assertEqual(r.returncode, 125)


class HostCheck(unittest.TestCase):
    def test_foreign_host_names_are_403_on_loopback(self):
        with Ssetail(["--linger", "--", "true"]) as s:
            for host, status in (("evil.example", 403), (f"evil.example:{s.port}", 403),
                                 ("localhost", 200), (f"localhost:{s.port}", 200),
                                 (f"127.0.0.1:{s.port}", 200), ("[::1]:1", 200)):
                with self.subTest(host=host):
                    reply = raw_request(s.port, f"GET /status HTTP/1.1\r\nHost: {host}\r\n"
                                        "Connection: close\r\n\r\n".encode())
                    self.assertEqual(reply.status, status, reply)

    def test_non_loopback_without_token_warns_and_any_host_is_served(self):
        with Ssetail(["--linger", "--bind", "0.0.0.0", "--", "true"]) as s:
            time.sleep(0.2)
            reply = raw_request(s.port, b"GET /status HTTP/1.1\r\nHost: build.example\r\n"
                                b"Connection: close\r\n\r\n")
            self.assertEqual(reply.status, 200, reply)
            s.stop()
            self.assertIn(b"warning", s.stderr())
        with Ssetail(["--linger", "--bind", "0.0.0.0", "--", "true"], env=token_env()) as s:
            s.stop()
            self.assertNotIn(b"warning", s.stderr())


class Cors(unittest.TestCase):
    def test_only_listed_origins_get_cors_headers(self):
        with Ssetail(["--linger", "--cors", "https://a.example", "--cors", "https://b.example",
                      "--", "true"]) as s:
            resp, _ = s.get("/status", {"Origin": "https://b.example"})
            self.assertEqual(resp.getheader("Access-Control-Allow-Origin"), "https://b.example")
            self.assertIsNone(resp.getheader("Access-Control-Allow-Credentials"))
            resp, _ = s.get("/status", {"Origin": "https://c.example"})
            self.assertIsNone(resp.getheader("Access-Control-Allow-Origin"))
        with Ssetail(["--linger", "--", "true"]) as s:
            resp, _ = s.get("/status", {"Origin": "https://a.example"})
            self.assertIsNone(resp.getheader("Access-Control-Allow-Origin"))

    def test_with_a_token_credentials_are_allowed_and_preflight_works(self):
        with Ssetail(["--linger", "--cors", "https://a.example", "--", "true"], env=token_env()) as s:
            resp, _ = s.get("/events", {"Origin": "https://a.example"}, method="OPTIONS")
            self.assertEqual(resp.status, 204)
            self.assertIn("Authorization", resp.getheader("Access-Control-Allow-Headers"))
            resp, _ = s.get("/status", {"Origin": "https://a.example",
                                        "Authorization": f"Bearer {TOKEN}"})
            self.assertEqual(resp.status, 200)
            self.assertEqual(resp.getheader("Access-Control-Allow-Credentials"), "true")


class Limits(unittest.TestCase):
    def assert_refused(self, reply):
        """A 4xx status line, or the connection closed without a reply."""
        if reply.status is not None:
            self.assertTrue(400 <= reply.status < 500, reply)
        else:
            self.assertTrue(reply.closed and reply.raw == b"", f"neither a 4xx nor a close: {reply}")

    def assert_healthy(self, s):
        self.assertIsNone(s.proc.poll(), "ssetail is gone")
        self.assertEqual(s.get("/status")[0].status, 200)
        self.assertIsNone(s.proc.poll(), "ssetail is gone")

    def test_oversized_request_line_and_headers_are_refused(self):
        status_line = lambda r: r.status is not None
        with Ssetail(["--linger", "--", "true"]) as s:
            reply = raw_request(s.port, b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: localhost\r\n"
                                b"Connection: close\r\n\r\n", until=status_line)
            self.assert_refused(reply)
            self.assert_healthy(s)
            reply = raw_request(s.port, b"GET /status HTTP/1.1\r\nHost: localhost\r\nX-Big: " +
                                b"b" * 20000 + b"\r\nConnection: close\r\n\r\n", until=status_line)
            self.assert_refused(reply)
            self.assert_healthy(s)

    def test_a_slowloris_client_is_dropped(self):
        with Ssetail(["--linger", "--", "true"]) as s:
            slow = socket.create_connection(("127.0.0.1", s.port))
            slow.settimeout(1)
            started = time.monotonic()
            dropped = False
            for byte in b"GET /status HTTP/1.1\r\nHost: localhost\r\nX-Slow: " + b"z" * 60:
                if time.monotonic() - started > 20:
                    break  # one byte a second for 20 s and still connected: not dropped
                try:
                    slow.sendall(bytes([byte]))
                    if slow.recv(1) == b"":
                        dropped = True
                        break
                except socket.timeout:
                    continue
                except OSError:
                    dropped = True
                    break
            elapsed = time.monotonic() - started
            slow.close()
            self.assertTrue(dropped)
            self.assertLess(elapsed, 20)
            self.assertEqual(s.get("/status")[0].status, 200)


class Ipv6(unittest.TestCase):
    def test_bind_ipv6_loopback(self):
        with Ssetail(["--linger", "--bind", "::1", "--", "echo", "six"]) as s:
            self.assertIn("http://[::1]:", s.serving_line)
            _, events = s.events()
            self.assertEqual(lines_of(events), ["six"])

    def test_bind_any_ipv6_is_dual_stack(self):
        with Ssetail(["--linger", "--bind", "::", "--", "true"], env=token_env()) as s:
            self.assertIn("http://[::]:", s.serving_line)
            for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
                reply = raw_request(s.port, f"GET /status HTTP/1.1\r\nHost: x\r\nAuthorization: "
                                    f"Bearer {TOKEN}\r\nConnection: close\r\n\r\n".encode(),
                                    host=address)
                self.assertEqual(reply.status, 200, (family, reply))


if __name__ == "__main__":
    unittest.main()
