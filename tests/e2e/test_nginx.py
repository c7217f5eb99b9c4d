"""Behind a real reverse proxy: Debian's nginx, plain proxy_pass under a path prefix,
default proxy buffering, proxy_read_timeout 5s (issue: life behind a reverse proxy)."""

import http.client
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from harness import EventStream, Ssetail, wait_for

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"

CONFIG = """
daemon off;
master_process off;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 256; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location /build/ {{
      proxy_pass http://127.0.0.1:{upstream}/;
      proxy_read_timeout 5s;
    }}
  }}
}}
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    def __init__(self, upstream_port):
        self.dir = tempfile.mkdtemp()
        self.port = free_port()
        path = os.path.join(self.dir, "nginx.conf")
        with open(path, "w") as f:
            f.write(CONFIG.format(dir=self.dir, port=self.port, upstream=upstream_port))
        self.proc = subprocess.Popen([NGINX, "-c", path, "-p", self.dir], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        ok = wait_for(lambda: self._listening(), 10)
        assert ok, self.proc.stderr.read() if self.proc.poll() is not None else "nginx not listening"

    def _listening(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def get(self, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp, body

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.proc.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class BehindNginx(unittest.TestCase):
    def start(self, args):
        self.ssetail = Ssetail(args)
        self.addCleanup(self.ssetail.stop)
        self.nginx = Nginx(self.ssetail.port)
        self.addCleanup(self.nginx.stop)

    def test_events_arrive_as_they_happen_and_survive_12_s_of_silence(self):
        # The heartbeat must be shorter than the proxy's read timeout (5 s here).
        self.start(["--heartbeat", "2", "--", "sh", "-c",
                    "sleep 1; echo one; sleep 2; echo two; sleep 12; echo three"])
        conn = http.client.HTTPConnection("127.0.0.1", self.nginx.port, timeout=30)
        with EventStream(conn, "/build/events", None, timeout=60) as stream:
            self.assertEqual(stream.resp.status, 200)
            self.assertEqual(stream.resp.getheader("Content-Type"), "text/event-stream")
            arrivals = {}
            started = time.monotonic()
            for event in stream:
                if event.type == "stdout":
                    arrivals[event.data] = time.monotonic() - started
                if event.type == "exit":
                    break
            else:
                self.fail(f"no exit event: the stream {'ended' if stream.ended else 'timed out'} "
                          f"after {arrivals}")
        self.assertEqual(sorted(arrivals), ["one", "three", "two"])
        # "one" came through before "two" was even written, not at the end
        self.assertLess(arrivals["one"], arrivals["two"] - 1.0)
        self.assertGreater(arrivals["three"] - arrivals["two"], 11)

    def test_the_page_and_its_assets_load_under_the_prefix(self):
        self.start(["--linger", "--", "echo", "hello"])
        resp, body = self.nginx.get("/build/")
        self.assertEqual(resp.status, 200)
        self.assertIn(b"<html", body.lower())
        self.assertEqual(resp.getheader("Content-Security-Policy"), "default-src 'self'")
        # Every URL the page refers to is relative and loads under the prefix.
        refs = [ref.decode() for ref in re.findall(rb'(?:src|href)="([^"]*)"', body)]
        self.assertIn("app.js", refs)
        self.assertIn("style.css", refs)
        for ref in refs:
            with self.subTest(ref=ref):
                self.assertNotRegex(ref, r"^(/|[a-z]+:)")
                self.assertEqual(self.nginx.get("/build/" + ref)[0].status, 200)
        self.assertTrue(wait_for(lambda: b'"exited"' in self.nginx.get("/build/status")[1], 30),
                        "the command did not exit")
        resp, body = self.nginx.get("/build/log")
        self.assertEqual(body, b"hello\n")
        self.assertEqual(self.nginx.get("/build/status")[0].status, 200)

    def test_token_login_redirects_within_the_prefix(self):
        env = dict(os.environ, SSETAIL_TOKEN="proxied")
        self.ssetail = Ssetail(["--linger", "--", "true"], env=env)
        self.addCleanup(self.ssetail.stop)
        self.nginx = Nginx(self.ssetail.port)
        self.addCleanup(self.nginx.stop)
        self.assertEqual(self.nginx.get("/build/status")[0].status, 401)
        resp, _ = self.nginx.get("/build/?token=proxied", {"X-Forwarded-Proto": "https"})
        self.assertEqual(resp.status, 303)
        self.assertEqual(resp.getheader("Location"), "./")  # resolves to /build/
        cookie = resp.getheader("Set-Cookie")
        self.assertIn("Secure", cookie)
        resp, _ = self.nginx.get("/build/status", {"Cookie": cookie.split(";")[0]})
        self.assertEqual(resp.status, 200)


if __name__ == "__main__":
    unittest.main()
