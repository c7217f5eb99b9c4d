"""Starts the real ssetail binary and talks to it over real HTTP (stdlib only)."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

SSETAIL = os.environ.get("SSETAIL", os.path.join(os.path.dirname(__file__), "../../build/ssetail"))
SERVING = re.compile(r"ssetail: serving http://(.+):(\d+)/")


class Ssetail:
    """One running ssetail. `args` are its options and command."""

    def __init__(self, args, stdin=subprocess.DEVNULL, env=None, quiet=True, **popen):
        argv = [SSETAIL, "--port", "0"] + (["--quiet"] if quiet else []) + list(args)
        self.proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env, start_new_session=True,
                                     **popen)
        line = self.proc.stderr.readline().decode()
        match = SERVING.search(line)
        if not match:
            rest = self.proc.stderr.read().decode()
            raise AssertionError(f"no serving line: {line!r} {rest!r}")
        self.serving_line = line
        self.host = match.group(1).strip("[]")
        self.port = int(match.group(2))
        self._stdout = []
        self._stderr = []
        self._readers = [
            threading.Thread(target=self._drain, args=(self.proc.stdout, self._stdout), daemon=True),
            threading.Thread(target=self._drain, args=(self.proc.stderr, self._stderr), daemon=True),
        ]
        for t in self._readers:
            t.start()

    @staticmethod
    def _drain(pipe, into):
        for chunk in iter(lambda: pipe.read1(65536), b""):
            into.append(chunk)

    def wait(self, timeout=30):
        code = self.proc.wait(timeout)
        self._close()
        return code

    def _close(self):
        for t in self._readers:
            t.join(5)
        report = self.stderr()
        if b"Sanitizer" in report or b"runtime error:" in report:
            sys.stderr.write(report.decode(errors="replace"))
        for pipe in (self.proc.stdout, self.proc.stderr):
            if not pipe.closed:
                pipe.close()

    def stdout(self):
        return b"".join(self._stdout)

    def stderr(self):
        return b"".join(self._stderr)

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._close()

    def connect(self, timeout=30):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def get(self, path, headers=None, method="GET"):
        conn = self.connect()
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        body = resp.read()
        conn.close()
        return resp, body

    def events(self, path="/events", headers=None, limit=None, timeout=60):
        """Reads a whole stream; returns (response, [Event])."""
        conn = self.connect(timeout)
        conn.request("GET", path, headers=headers or {})
        resp = conn.getresponse()
        events = []
        if resp.status == 200:
            for event in parse_sse(resp):
                if event.data is None:
                    continue  # the retry/comment preamble and heartbeats
                events.append(event)
                if limit is not None and len(events) >= limit:
                    break
        conn.close()
        return resp, events

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Event:
    def __init__(self, fields, comments):
        self.id = fields.get("id")
        self.type = fields.get("event", "message")
        self.data = fields.get("data")
        self.retry = fields.get("retry")
        self.comments = comments

    def json(self):
        return json.loads(self.data)

    def __repr__(self):
        return f"Event({self.id}, {self.type}, {self.data!r})"


def parse_sse(stream):
    """Yields events (and comment/retry-only blocks) from a file-like response."""
    fields, comments = {}, []
    while True:
        raw = stream.readline()
        if not raw:
            return
        line = raw.decode("utf-8").rstrip("\n")
        assert "\r" not in line, f"raw CR in the stream: {line!r}"
        if line == "":
            if fields or comments:
                yield Event(fields, comments)
            fields, comments = {}, []
            continue
        if line.startswith(":"):
            comments.append(line[1:].strip())
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "data" and "data" in fields:
            fields["data"] += "\n" + value
        else:
            fields[name] = value


def output(events, types=("stdout", "stderr")):
    return [(e.type, e.data) for e in events if e.type in types]


def lines_of(events, kind="stdout"):
    return [e.data for e in events if e.type == kind]


def group_members(pgid):
    """Pids whose process group is `pgid` (from /proc)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def is_alive(pid):
    """The process exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def comms(pids):
    """The command names (/proc/PID/comm) of the pids still there."""
    names = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/comm") as f:
                names.append(f.read().strip())
        except OSError:
            pass
    return names


def command_pid(s):
    """The pid of the command that the running ssetail `s` started (from /status)."""
    _, body = s.get("/status")
    return json.loads(body)["pid"]


def wait_for(predicate, timeout=10.0, interval=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def raw_request(port, request, host="127.0.0.1", read_timeout=5):
    """Sends raw bytes and returns what the server sends back until it closes or times out."""
    with socket.create_connection((host, port), timeout=read_timeout) as s:
        s.sendall(request)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except socket.timeout:
            pass
        return b"".join(chunks)


def dechunk(body):
    """Decodes an HTTP/1.1 chunked body (complete or cut short)."""
    out, pos = [], 0
    while True:
        end = body.find(b"\r\n", pos)
        if end < 0:
            break
        size = int(body[pos:end].split(b";")[0], 16)
        if size == 0:
            break
        out.append(body[end + 2:end + 2 + size])
        pos = end + 2 + size + 2
    return b"".join(out)


def many_streams(port, count, path="/events", timeout=120):
    """Opens `count` streams at once and reads them all to the end with one selector loop.
    Returns the decoded SSE bodies (bytes), in connection order."""
    import selectors
    sel = selectors.DefaultSelector()
    socks, buffers = [], []
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    for i in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(request)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, i)
        socks.append(s)
        buffers.append([])
    open_count = count
    deadline = time.monotonic() + timeout
    while open_count and time.monotonic() < deadline:
        for key, _ in sel.select(1):
            i = key.data
            try:
                chunk = socks[i].recv(1 << 20)
            except BlockingIOError:
                continue
            if chunk:
                buffers[i].append(chunk)
            else:
                sel.unregister(socks[i])
                socks[i].close()
                open_count -= 1
    for s in socks:
        if s.fileno() >= 0:
            s.close()
    bodies = []
    for parts in buffers:
        raw = b"".join(parts)
        head, _, body = raw.partition(b"\r\n\r\n")
        bodies.append(dechunk(body) if b"chunked" in head.lower() else body)
    return bodies


def stdout_data(sse_body):
    """The data of every stdout event of a default-format SSE body, in order."""
    import re
    return re.findall(rb"\nevent: stdout\ndata: ([^\n]*)\n", sse_body)
