"""Starts the real ssetail binary and talks to it over real HTTP (stdlib only)."""

import http.client
import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time

SSETAIL = os.environ.get("SSETAIL", os.path.join(os.path.dirname(__file__), "../../build/ssetail"))
SERVING = re.compile(r"ssetail: serving http://(.+):(\d+)/")


def env_outside_ci(**extra):
    """This environment without the variables that say it is a CI service's (they give
    ssetail a title, source links, annotations: SPEC §12, §13), plus `extra`: tests run
    under GitHub Actions see what they would see anywhere else."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("GITHUB_ACTIONS", "GITLAB_CI", "BUILDKITE")}
    env.update(extra)
    return env


class Ssetail:
    """One running ssetail. `args` are its options and command; `env` its environment
    (env_outside_ci() unless given)."""

    def __init__(self, args, stdin=subprocess.DEVNULL, env=None, quiet=True, **popen):
        argv = [SSETAIL, "--port", "0"] + (["--quiet"] if quiet else []) + list(args)
        self.proc = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE,
                                     env=env if env is not None else env_outside_ci(),
                                     start_new_session=True, **popen)
        line, rest = self._read_stderr(30)
        match = SERVING.search(line.decode(errors="replace"))
        if not match:
            rest += self._read_stderr(5, line=False)[0]  # the rest of an error message
            self.proc.kill()
            self.proc.wait()
            raise AssertionError(f"no serving line: {line!r} {rest!r}")
        self.serving_line = line.decode()
        self.host = match.group(1).strip("[]")
        self.port = int(match.group(2))
        self._stdout = []
        self._stderr = [rest] if rest else []
        self._closed = False
        self._readers = [
            threading.Thread(target=self._drain, args=(self.proc.stdout, self._stdout), daemon=True),
            threading.Thread(target=self._drain, args=(self.proc.stderr, self._stderr), daemon=True),
        ]
        for t in self._readers:
            t.start()

    def _read_stderr(self, timeout, line=True):
        """Reads ssetail's stderr straight from its descriptor (the drain threads go on
        through the still empty buffered pipe) until a newline if `line`, its end, or
        `timeout` seconds; returns (that, with the newline, and what came after it)."""
        fd = self.proc.stderr.fileno()
        deadline = time.monotonic() + timeout
        got = b""
        while not (line and b"\n" in got):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                break
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            got += chunk
        head, newline, rest = got.partition(b"\n") if line else (got, b"", b"")
        return head + newline, rest

    @staticmethod
    def _drain(pipe, into):
        for chunk in iter(lambda: pipe.read1(65536), b""):
            into.append(chunk)

    def wait(self, timeout=30):
        code = self.proc.wait(timeout)
        self._close()
        return code

    def _close(self):
        """After ssetail ended: collects the rest of its output. A sanitizer report fails the
        test (a stream of the test may well have passed before ssetail's exit found it), and
        so do pipes still open, for stdout()/stderr() would be incomplete."""
        if self._closed:
            return
        self._closed = True
        for t in self._readers:
            t.join(5)
        if any(t.is_alive() for t in self._readers):
            # (closing a pipe a reader thread is blocked on would block here too)
            raise AssertionError("ssetail's stdout or stderr was still open 5 s after it ended")
        for pipe in (self.proc.stdout, self.proc.stderr):
            if not pipe.closed:
                pipe.close()
        report = self.stderr()
        if b"Sanitizer" in report or b"runtime error:" in report:
            sys.stderr.write(report.decode(errors="replace"))
            raise AssertionError("ssetail reported a sanitizer error (above)")

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

    def stream(self, path="/events", headers=None, timeout=60):
        """Opens a stream; iterate it for its events (see EventStream)."""
        return EventStream(self.connect(timeout), path, headers, timeout)

    def events(self, path="/events", headers=None, timeout=60):
        """Reads a whole stream; returns (response, [Event]). The stream must end within
        `timeout` seconds in all."""
        with self.stream(path, headers, timeout) as stream:
            events = list(stream)
            if stream.resp.status == 200 and not stream.ended:
                raise AssertionError(f"GET {path}: the stream did not end within {timeout} s; "
                                     f"{len(events)} events so far, the last {events[-3:]}")
        return stream.resp, events

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Event:
    """One dispatched event. `id` is the id field of its own block (None without one);
    `last_event_id` is what EventSource reports as lastEventId (it carries over)."""

    def __init__(self, type, data, id, last_event_id):
        self.type = type
        self.data = data
        self.id = id
        self.last_event_id = last_event_id

    def json(self):
        return json.loads(self.data)

    def __repr__(self):
        return f"Event({self.id}, {self.type}, {self.data!r})"


class SseParser:
    """The one event-stream parser of these tests, by the WHATWG rules (HTML, "Server-sent
    events", interpreting an event stream): lines end with CRLF, LF or CR; a line starting
    with ':' is a comment; otherwise the field name is up to the first ':' (the whole line
    without one) and one space after it is dropped; `data` lines join with LF, `event` sets
    the type (default "message"), `id` without NUL sets the last event id, `retry` of ASCII
    digits only sets the reconnection time, other fields are ignored; a blank line
    dispatches the event, or nothing if no data line came; an event cut off by the end of
    the stream is not dispatched.

    It also keeps what EventSource does not expose: the comments, and each event's own id
    field. `strict` (the default) fails on what ssetail must never send: a CR (it would end
    a line in a browser) and invalid UTF-8."""

    def __init__(self, strict=True):
        self.strict = strict
        self.last_event_id = ""
        self.retry = None  # the reconnection time (ms) the stream set, if any
        self.comments = []  # every comment, without the ':' and one leading space
        self._pending = b""
        self._start = True
        self._reset()

    def _reset(self):
        self._data, self._type, self._id = [], "", None

    def feed(self, chunk):
        """Takes the next bytes of the stream; returns the events they complete."""
        buf = self._pending + chunk
        end = len(buf) - 1 if buf.endswith(b"\r") else len(buf)  # maybe half of a CRLF
        cut = max(buf.rfind(b"\n", 0, end), buf.rfind(b"\r", 0, end))
        if cut < 0:
            self._pending = buf
            return []
        complete, self._pending = buf[:cut + 1], buf[cut + 1:]
        if self.strict:
            assert b"\r" not in complete, f"raw CR in the stream: {complete[-200:]!r}"
        if self._start:
            self._start = False
            if complete.startswith(b"\xef\xbb\xbf"):
                complete = complete[3:]
        # Every line end as LF (CRLF first), then one decode: the lines are what splitting
        # at CRLF, LF and CR gives.
        text = complete.replace(b"\r\n", b"\n").replace(b"\r", b"\n").decode(
            "utf-8", "strict" if self.strict else "replace")
        events = []
        for line in text.split("\n")[:-1]:
            if not line:
                event = self._dispatch()
                if event is not None:
                    events.append(event)
            elif line[0] == ":":
                self.comments.append(line[2:] if line[1:2] == " " else line[1:])
            else:
                name, _, value = line.partition(":")
                if value[:1] == " ":
                    value = value[1:]
                if name == "data":
                    self._data.append(value)
                elif name == "event":
                    self._type = value
                elif name == "id":
                    if "\0" not in value:
                        self.last_event_id = self._id = value
                elif name == "retry":
                    if value.isascii() and value.isdigit():
                        self.retry = int(value)
        return events

    def _dispatch(self):
        data, type_, id_ = self._data, self._type, self._id
        self._reset()
        if not data:
            return None
        return Event(type_ or "message", "\n".join(data), id_, self.last_event_id)


def parse_sse(body):
    """The events of a whole SSE body (bytes); returns (events, parser)."""
    parser = SseParser()
    return parser.feed(body), parser


class EventStream:
    """A GET of an event stream through http.client, read live with one overall deadline:
    iterating yields its events until the server ends it (`ended`) or `timeout` seconds
    after the request, whichever comes first. A non-200 response has no events."""

    def __init__(self, conn, path, headers, timeout):
        self.deadline = time.monotonic() + timeout
        self.conn = conn
        conn.request("GET", path, headers=headers or {})
        self._sock = conn.sock  # http.client drops it from conn once the response is read
        self.resp = conn.getresponse()
        self.parser = SseParser()
        self.ended = self.resp.status != 200

    def __iter__(self):
        while not self.ended:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                return
            self._sock.settimeout(remaining)
            try:
                chunk = self.resp.read1(65536)
            except TimeoutError:
                return
            if not chunk:
                self.ended = True
                return
            yield from self.parser.feed(chunk)

    def close(self):
        self.resp.close()
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


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


class HttpReply:
    """An HTTP/1.1 response as read off a raw socket, maybe cut short: `raw` bytes; `closed`
    when the server closed the connection (EOF or reset); `status` (None without a status
    line), `headers` (lower-case names), `body` (decoded if chunked; `last_chunk` tells
    whether the chunked body was complete)."""

    def __init__(self, raw, closed):
        self.raw = raw
        self.closed = closed
        match = re.match(rb"HTTP/1\.[01] (\d{3})[ \r]", raw)
        self.status = int(match.group(1)) if match else None
        head, sep, rest = raw.partition(b"\r\n\r\n")
        self.headers = {}
        for line in head.split(b"\r\n")[1:] if sep else []:
            name, colon, value = line.partition(b":")
            assert colon, f"malformed header line {line!r}"
            self.headers[name.decode("latin-1").strip().lower()] = value.decode("latin-1").strip()
        self.chunked = "chunked" in self.headers.get("transfer-encoding", "").lower()
        self.body, self.last_chunk = dechunk(rest) if self.chunked else (rest, False)
        self._sse = None

    def events(self):
        """The SSE events of the body."""
        return self._parsed()[0]

    @property
    def sse(self):
        """The SseParser that read the body: its comments and retry."""
        return self._parsed()[1]

    def _parsed(self):
        if self._sse is None:
            self._sse = parse_sse(self.body)
        return self._sse

    def __repr__(self):
        return f"HttpReply(closed={self.closed}, {self.raw[:300]!r}{'...' if len(self.raw) > 300 else ''})"


def dechunk(body):
    """The one decoder of HTTP/1.1 chunked bodies in these tests; the body may be cut short
    (a stream read until a deadline). Returns (data, complete): complete once the last
    chunk has arrived. Malformed framing fails."""
    out, pos = [], 0
    while True:
        end = body.find(b"\r\n", pos)
        if end < 0:
            return b"".join(out), False
        size = body[pos:end].split(b";")[0].strip()
        assert re.fullmatch(rb"[0-9a-fA-F]+", size), f"bad chunk size line: {body[pos:end + 2][:60]!r}"
        size = int(size, 16)
        if size == 0:
            return b"".join(out), True
        start = end + 2
        out.append(body[start:start + size])
        if start + size + 2 > len(body):
            return b"".join(out), False
        assert body[start + size:start + size + 2] == b"\r\n", f"chunk not followed by CRLF at {start + size}"
        pos = start + size + 2


def open_raw(port, request, host="127.0.0.1", rcvbuf=None):
    """A socket connected to ssetail that has sent `request` (bytes)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family)
    if rcvbuf is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(30)
    s.connect((host, port))
    try:
        s.sendall(request)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server closed early; the reply (or the close) tells
    return s


def read_reply(s, timeout=10, until=None):
    """Reads an HTTP response off socket `s` until the server closes the connection,
    `until(HttpReply so far)` holds, or `timeout` seconds have passed in all (one deadline,
    not one per recv). Returns an HttpReply."""
    deadline = time.monotonic() + timeout
    chunks, closed = [], False
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        s.settimeout(remaining)
        try:
            chunk = s.recv(65536)
        except TimeoutError:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        chunks.append(chunk)
        if until is not None and until(HttpReply(b"".join(chunks), False)):
            break
    return HttpReply(b"".join(chunks), closed)


def raw_request(port, request, host="127.0.0.1", timeout=10, until=None):
    """Sends raw bytes; returns the HttpReply read as by read_reply."""
    with open_raw(port, request, host) as s:
        return read_reply(s, timeout, until)


def many_streams(port, count, path="/events", timeout=120):
    """Opens `count` streams at once and reads them all to the end with one selector loop,
    for `timeout` seconds at most in all. Returns an HttpReply each, in connection order
    (`closed` tells whether the server ended it)."""
    import selectors
    sel = selectors.DefaultSelector()
    socks, buffers, closed = [], [], []
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
    for i in range(count):
        s = open_raw(port, request)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, i)
        socks.append(s)
        buffers.append([])
        closed.append(False)
    open_count = count
    deadline = time.monotonic() + timeout
    while open_count and time.monotonic() < deadline:
        for key, _ in sel.select(1):
            i = key.data
            try:
                chunk = socks[i].recv(1 << 20)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                chunk = b""
            if chunk:
                buffers[i].append(chunk)
            else:
                sel.unregister(socks[i])
                socks[i].close()
                closed[i] = True
                open_count -= 1
    for s in socks:
        if s.fileno() >= 0:
            s.close()
    sel.close()
    return [HttpReply(b"".join(parts), done) for parts, done in zip(buffers, closed)]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Redis:
    """A minimal RESP client (stdlib only): command() returns the reply, bytes for strings,
    int, list, None, or raises RedisError."""

    def __init__(self, port, timeout=10):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = bytearray()
        self.pos = 0  # what of buf is read (kept, not copied: replies may be megabytes)

    def close(self):
        self.sock.close()

    def command(self, *args):
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(parts))
        reply = self._reply()
        del self.buf[:self.pos]
        self.pos = 0
        return reply

    def _fill(self, until):
        """Reads until buf holds `until` bytes."""
        while len(self.buf) < until:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("redis closed the connection")
            self.buf += chunk

    def _line(self):
        end = self.buf.find(b"\r\n", self.pos)
        while end < 0:
            self._fill(len(self.buf) + 1)
            end = self.buf.find(b"\r\n", self.pos)
        line = bytes(self.buf[self.pos:end])
        self.pos = end + 2
        return line

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RedisError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            self._fill(self.pos + n + 2)
            data = bytes(self.buf[self.pos:self.pos + n])
            self.pos += n + 2
            return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ValueError(f"not RESP: {line!r}")


class RedisError(Exception):
    pass


class RedisServer:
    """A redis-server of the test's own on a free port (no persistence), stopped by pid."""

    def __init__(self, port=None, start=True):
        self.port = port or free_port()
        self.proc = None
        if start:
            self.start()

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not wait_for(self._answers, 10):
            self.kill()
            raise AssertionError(f"redis-server did not answer on port {self.port} within 10 s")

    def _answers(self):
        try:
            r = Redis(self.port, timeout=1)
            try:
                return r.command("PING") == b"PONG"
            finally:
                r.close()
        except OSError:
            return False

    def client(self):
        return Redis(self.port)

    def command(self, *args):
        r = self.client()
        try:
            return r.command(*args)
        finally:
            r.close()

    def kill(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)
        self.proc = None

    def pause(self):
        self.proc.send_signal(signal.SIGSTOP)

    def resume(self):
        self.proc.send_signal(signal.SIGCONT)

    def url(self, prefix=""):
        return f"redis://127.0.0.1:{self.port}/{prefix}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
        self.kill()
