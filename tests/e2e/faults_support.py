"""Helpers of test_faults.py and bench/soak.py (standard library only).

- `Server`: starts the real binary, optionally behind a prefix such as `prlimit`, and reads
  its figures from /proc (CPU time, RSS, descriptors).
- `StreamParser`: an incremental parser of one raw HTTP/1.1 response carrying an SSE stream
  (status line, chunked body, events), for clients that read over raw sockets.
- `ReaderPool`: many /events clients on one selector thread; each resumes with
  `Last-Event-ID` when its connection ends (or when it times out, to simulate a client
  whose socket timed out), and checks numbered lines as they arrive (`Numbering`).
- Writer commands (`paced_writer`, `firehose_writer`) and raw-socket requests.

It does not import the harness: the binary's path is passed in, so bench/soak.py can use it
with any build.
"""

import collections
import os
import random
import re
import selectors
import socket
import struct
import subprocess
import sys
import threading

from harness import group_members, wait_for  # noqa: F401 (re-exported for test_faults)
import time

SERVING = re.compile(rb"ssetail: serving http://(.+):(\d+)/")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# --- the build under test ------------------------------------------------------------------

def sanitizer(binary):
    """The sanitizers the binary was built with: "" (plain), "address,undefined" or "thread".
    CMake passes SSETAIL_SANITIZE; without it, the binary itself says (its runtime's symbols)."""
    value = os.environ.get("SSETAIL_SANITIZE")
    if value is not None:
        return value
    try:
        with open(binary, "rb") as f:
            data = f.read()
    except OSError:
        return ""
    runtimes = ((b"__asan_init", "address"), (b"__ubsan_handle", "undefined"),
                (b"__tsan_init", "thread"))
    return ",".join(name for marker, name in runtimes if marker in data)


# --- /proc figures of a process ------------------------------------------------------------

def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    return stat[stat.rindex(")") + 2:].split()  # [0] is the state (field 3 of proc(5))


def cpu_seconds(pid):
    """User + system CPU time of the process (all its threads), in seconds."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def thread_count(pid):
    return len(os.listdir(f"/proc/{pid}/task"))


def is_alive(pid):
    """The process exists and is neither a zombie nor dead."""
    try:
        return _stat_fields(pid)[0] not in ("Z", "X")
    except OSError:
        return False


# --- one running ssetail -------------------------------------------------------------------

class Server:
    """One running ssetail: `[*prefix, binary, --port 0, --quiet, *args]` in its own session.
    Its stderr is collected (sanitizer reports); its stdout is not read (--quiet)."""

    def __init__(self, binary, args, prefix=(), env=None, start_timeout=30):
        argv = [*prefix, binary, "--port", "0", "--quiet", *args]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, env=env, start_new_session=True)
        self.pid = self.proc.pid  # prlimit execs the binary: the same process
        self._stderr = []
        self._serving = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        if not self._serving.wait(start_timeout):
            self.kill()
            raise AssertionError(f"no serving line within {start_timeout} s: {self.stderr()!r}")
        match = SERVING.search(self.stderr())
        if not match:
            self.kill()
            raise AssertionError(f"no serving line: {self.stderr()!r}")
        self.host = match.group(1).decode().strip("[]")
        self.port = int(match.group(2))

    def _drain(self):
        for line in iter(self.proc.stderr.readline, b""):
            self._stderr.append(line)
            if SERVING.search(line):
                self._serving.set()
        self._serving.set()

    def stderr(self):
        return b"".join(self._stderr)

    def sanitizer_report(self):
        """The sanitizer's report in ssetail's stderr, or "" if there is none."""
        text = self.stderr().decode(errors="replace")
        for marker in ("Sanitizer", "runtime error:"):
            if marker in text:
                return text[text.index(marker) - 200 if text.index(marker) > 200 else 0:][:6000]
        return ""

    # figures
    def alive(self):
        return self.proc.poll() is None and is_alive(self.pid)

    def cpu_seconds(self):
        return cpu_seconds(self.pid)

    def rss_bytes(self):
        return rss_bytes(self.pid)

    def fd_count(self):
        return fd_count(self.pid)

    # HTTP
    def request(self, path, timeout=5, method="GET", headers=b""):
        """One request on its own connection: (status, body). Raises on timeout."""
        data = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                .encode() + headers + b"\r\n")
        raw = read_until_closed(self.port, data, timeout)
        head, _, body = raw.partition(b"\r\n\r\n")
        match = re.match(rb"HTTP/1\.[01] (\d{3})", head)
        if not match:
            raise AssertionError(f"{path}: no HTTP response: {raw[:200]!r}")
        if b"transfer-encoding: chunked" in head.lower():
            body = dechunk(body)
        return int(match.group(1)), body

    def status(self, timeout=5):
        import json
        code, body = self.request("/status", timeout)
        if code != 200:
            raise AssertionError(f"/status answered {code}: {body[:200]!r}")
        return json.loads(body)

    # lifetime
    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait(self, timeout):
        code = self.proc.wait(timeout)
        self._finish()
        return code

    def _finish(self):
        self._reader.join(5)
        if not self._reader.is_alive():
            self.proc.stderr.close()

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL after `timeout`; returns the exit status."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._finish()
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._finish()


# --- commands ------------------------------------------------------------------------------

_PACED = r"""
import os, sys, time
rate, count, stop = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
width, stamp = int(sys.argv[4]), sys.argv[5] == "stamp"
pad = b" " + b"p" * width if width else b""
def line(n):
    return (b"%d %.6f" % (n, time.time()) if stamp else b"%d" % n) + pad + b"\n"
start = time.monotonic()
written = 0
checked = 0.0
while count == 0 or written < count:
    now = time.monotonic()
    if stop and now - checked >= 0.02:
        checked = now
        if os.path.exists(stop):
            break
    due = int((now - start) * rate) + 1
    if count:
        due = min(due, count)
    if due > written:
        data = memoryview(b"".join(line(n) for n in range(written + 1, due + 1)))
        while data:
            data = data[os.write(1, data):]
        written = due
    else:
        time.sleep(min(0.005, 1.0 / rate))
"""


def paced_writer(rate, count=0, stop="", width=0, stamp=False):
    """argv of a command printing lines `1`, `2`, ... (each optionally followed by a timestamp
    and `width` bytes of padding) at `rate` lines per second, until `count` lines (0: no
    limit) or until the file `stop` exists."""
    return [sys.executable, "-c", _PACED, str(rate), str(count), stop, str(width),
            "stamp" if stamp else "-"]


_FIREHOSE = r"""
import os, sys, time
seconds, counts = float(sys.argv[1]), sys.argv[2]
def run(fd, line, name):
    chunk = line * 1000
    end = time.monotonic() + seconds
    total = 0
    while time.monotonic() < end:
        data = memoryview(chunk)
        while data:
            data = data[os.write(fd, data):]
        total += len(chunk)
    with open(counts + "." + name, "w") as f:
        f.write("%d %d" % (total, total // len(line)))
child = os.fork()
if child == 0:
    run(2, b"err-line-" + b"y" * 40 + b"\n", "err")
    os._exit(0)
run(1, b"out-line-" + b"x" * 40 + b"\n", "out")
os.waitpid(child, 0)
"""


def firehose_writer(seconds, counts):
    """argv of a command that writes 50-byte lines as fast as it can on stdout and on stderr
    (two processes) for `seconds`, then writes "BYTES LINES" of each stream to
    `counts`.out and `counts`.err."""
    return [sys.executable, "-c", _FIREHOSE, str(seconds), counts]


def read_counts(counts):
    """{stream: (bytes, lines)} written by a firehose_writer."""
    result = {}
    for name in ("out", "err"):
        with open(f"{counts}.{name}") as f:
            written, lines = f.read().split()
        result[name] = (int(written), int(lines))
    return result


# --- raw HTTP ------------------------------------------------------------------------------

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


def read_until_closed(port, data, timeout, half_close=False):
    """Sends `data`, reads until the server closes. Raises socket.timeout if the whole
    exchange takes longer than `timeout` seconds."""
    deadline = time.monotonic() + timeout
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        if half_close:
            s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout(f"no close within {timeout} s; got {b''.join(chunks)[:200]!r}")
            s.settimeout(left)
            chunk = s.recv(65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)


def set_rst_on_close(sock):
    """close() then sends RST instead of FIN (SO_LINGER with a zero timeout)."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def statuses_in(raw):
    """The status codes of the responses in `raw` (bodies must not quote a status line)."""
    return [int(code) for code in re.findall(rb"HTTP/1\.[01] (\d{3}) ", raw)]


# --- SSE over a raw socket -----------------------------------------------------------------

Event = collections.namedtuple("Event", "id type data")
_STANDARD = re.compile(rb"id: ([^\n]*)\nevent: ([^\n]*)\ndata: ([^\n]*)")


class ProtocolError(Exception):
    pass


def seq_of(event_id):
    """SEQ of an id RUN.SEQ."""
    return int(event_id.rpartition(b".")[2])


class StreamParser:
    """One HTTP/1.1 response read incrementally: `feed(bytes)` returns the SSE events (data
    events only: comments, `retry:` and heartbeats are counted, not returned) completed by
    those bytes. `status` is set once the head arrived; `ended` once the last chunk came."""

    def __init__(self):
        self._raw = bytearray()
        self._sse = bytearray()
        self.status = None
        self.head = b""
        self.chunked = False
        self.ended = False
        self.comments = 0
        self._data_left = 0
        self._crlf_left = 0

    def feed(self, data):
        self._raw += data
        if self.status is None:
            end = self._raw.find(b"\r\n\r\n")
            if end < 0:
                if len(self._raw) > 65536:
                    raise ProtocolError(f"no end of the response head: {bytes(self._raw[:200])!r}")
                return []
            self.head = bytes(self._raw[:end])
            del self._raw[:end + 4]
            match = re.match(rb"HTTP/1\.[01] (\d{3})", self.head)
            if not match:
                raise ProtocolError(f"not an HTTP response: {self.head[:200]!r}")
            self.status = int(match.group(1))
            self.chunked = b"\r\ntransfer-encoding: chunked" in self.head.lower()
        if self.chunked:
            self._dechunk()
        else:
            self._sse += self._raw
            self._raw.clear()
        return self._events()

    def _dechunk(self):
        raw, pos = self._raw, 0
        while not self.ended:
            if self._data_left:
                n = min(self._data_left, len(raw) - pos)
                if n <= 0:
                    break
                self._sse += raw[pos:pos + n]
                pos += n
                self._data_left -= n
                if self._data_left:
                    break
                self._crlf_left = 2
            if self._crlf_left:
                n = min(self._crlf_left, len(raw) - pos)
                if raw[pos:pos + n] != b"\r\n"[2 - self._crlf_left:2 - self._crlf_left + n]:
                    raise ProtocolError(f"no CRLF after a chunk: {bytes(raw[pos:pos + 20])!r}")
                pos += n
                self._crlf_left -= n
                if self._crlf_left:
                    break
            end = raw.find(b"\r\n", pos)
            if end < 0:
                if len(raw) - pos > 64:
                    raise ProtocolError(f"bad chunk size line: {bytes(raw[pos:pos + 40])!r}")
                break
            try:
                size = int(bytes(raw[pos:end]).split(b";")[0], 16)
            except ValueError:
                raise ProtocolError(f"bad chunk size: {bytes(raw[pos:end])!r}") from None
            pos = end + 2
            if size == 0:
                self.ended = True
            self._data_left = size
        del raw[:pos]

    def _events(self):
        sse = self._sse
        end = sse.rfind(b"\n\n")
        if end < 0:
            return []
        blocks = bytes(sse[:end]).split(b"\n\n")
        del sse[:end + 2]
        events = []
        for block in blocks:
            if b"\r" in block:
                raise ProtocolError(f"raw CR in the stream: {block[:200]!r}")
            match = _STANDARD.fullmatch(block)
            if match:
                events.append(Event(*match.groups()))
                continue
            event_id, kind, data = None, b"message", None
            for line in block.split(b"\n"):
                if not line:
                    continue
                if line.startswith(b":"):
                    self.comments += 1
                    continue
                name, _, value = line.partition(b":")
                if value.startswith(b" "):
                    value = value[1:]
                if name == b"id":
                    event_id = value
                elif name == b"event":
                    kind = value
                elif name == b"data":
                    data = value if data is None else data + b"\n" + value
            if data is not None:
                events.append(Event(event_id, kind, data))
        return events


class Numbering:
    """Checks numbered lines ("N ..." with N = 1, 2, ...) as they arrive: every number exactly
    once, in order. Keeps counters and the first few problems, not the lines."""

    def __init__(self):
        self.next = 1
        self.lost = 0
        self.duplicated = 0
        self.problems = []

    def see(self, data):
        number = int(data.split(b" ", 1)[0])
        if number == self.next:
            self.next += 1
            return
        if number > self.next:
            self.lost += number - self.next
            self._problem(f"expected {self.next}, got {number}")
            self.next = number + 1
        else:
            self.duplicated += 1
            self._problem(f"expected {self.next}, got {number} again")

    def _problem(self, text):
        if len(self.problems) < 5:
            self.problems.append(text)

    @property
    def count(self):
        return self.next - 1

    def verdict(self, total):
        """None when lines 1..total arrived exactly once in order, else what went wrong."""
        if self.lost == 0 and self.duplicated == 0 and self.count == total:
            return None
        return (f"received 1..{self.count} of {total}: lost {self.lost}, "
                f"duplicated {self.duplicated}; {self.problems}")


class Client:
    """One /events reader of a ReaderPool.

    idle_timeout: close and reconnect (with Last-Event-ID) after this many seconds without a
    byte, as a client whose socket timed out does. resume: reconnect after the connection
    ends without `exit` (False: record the outcome and stop). numbered: check stdout lines
    with a Numbering instead of keeping them."""

    def __init__(self, path="/events", idle_timeout=None, resume=True, numbered=True,
                 keep_lines=False, last_id=None, reconnect_mean=None, stamped=False):
        self.path = path
        self.idle_timeout = idle_timeout
        # Leave at random moments (exponential intervals of this mean, in seconds), half of
        # the time with RST, and reconnect with Last-Event-ID.
        self.reconnect_mean = reconnect_mean
        self.leave_at = None
        # Lines "N UNIX_TIME ...": record the delay of the last line of each read.
        self.stamped = stamped
        self.delays = []  # (time.monotonic(), delay in s), at most two a second
        self.reconnected_at = []  # time.monotonic() of each connection after the first
        self.delay_at = 0.0
        self.resume = resume
        self.numbering = Numbering() if numbered else None
        self.lines = [] if keep_lines else None
        self.last_id = last_id
        self.events = 0              # data events received
        self.other = []              # events that are not stdout/stderr (start, exit, gap)
        self.stderr_lines = 0
        self.connections = 0
        self.statuses = []           # HTTP status of each connection (None: no response)
        self.outcomes = []           # how each connection ended: eof, reset, timeout, ...
        self.done = False            # received `exit` (or 204) and the stream ended
        self.exit_data = None
        self.error = None            # a protocol error or an unexpected status
        self.first_byte_at = None
        self.bytes = 0
        # connection state, owned by the pool thread
        self.sock = None
        self.parser = None
        self.last_io = 0.0
        self.retry_at = 0.0

    def on_event(self, event):
        self.events += 1
        if event.id is not None:
            self.last_id = event.id
        if event.type == b"stdout":
            if self.numbering is not None:
                self.numbering.see(event.data)
            if self.lines is not None:
                self.lines.append(event.data)
        elif event.type == b"stderr":
            self.stderr_lines += 1
        else:
            self.other.append(event)
            if event.type == b"exit":
                self.exit_data = event.data

    def summary(self):
        return (f"connections {self.connections}, statuses {self.statuses}, outcomes "
                f"{self.outcomes}, events {self.events}, last id {self.last_id!r}, "
                f"done {self.done}, error {self.error}")


class ReaderPool:
    """Runs Clients on one selector thread until each is done or `stop()` is called."""

    def __init__(self, port, clients, reconnect_delay=0.05, connect_timeout=5):
        self.port = port
        self.clients = list(clients)
        self.reconnect_delay = reconnect_delay
        self.connect_timeout = connect_timeout
        self._selector = selectors.DefaultSelector()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.crash = None

    def start(self):
        self._thread.start()
        return self

    def stop(self, timeout=10):
        self._stopping = True
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError("the reader thread did not stop")

    def wait_done(self, timeout):
        """True once every client is done (or has stopped with an error)."""
        return wait_for(lambda: self.crash is not None or
                          all(c.done or (c.error and not c.sock) for c in self.clients),
                          timeout, 0.05)

    def _connect(self, client):
        client.connections += 1
        if client.connections > 1:
            client.reconnected_at.append(time.monotonic())
        headers = ""
        if client.last_id is not None:
            headers = f"Last-Event-ID: {client.last_id.decode()}\r\n"
        request = f"GET {client.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}\r\n".encode()
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.connect_timeout)
            sock.sendall(request)
        except OSError as e:
            client.statuses.append(None)
            client.outcomes.append(f"connect: {e.__class__.__name__}")
            self._after_end(client)
            return
        sock.setblocking(False)
        client.sock = sock
        client.parser = StreamParser()
        client.last_io = time.monotonic()
        self._selector.register(sock, selectors.EVENT_READ, client)

    def _close(self, client, outcome, rst=False):
        client.statuses.append(client.parser.status if client.parser else None)
        client.outcomes.append(outcome)
        self._selector.unregister(client.sock)
        if rst:
            set_rst_on_close(client.sock)
        client.sock.close()
        client.sock = None
        self._after_end(client)

    def _after_end(self, client):
        status = client.statuses[-1]
        if client.exit_data is not None or status == 204:
            client.done = True
        elif status not in (None, 200, 503) and client.error is None:
            client.error = f"unexpected status {status}"
        if not client.done and client.error is None and client.resume:
            client.retry_at = time.monotonic() + (2.0 if status == 503 else self.reconnect_delay)

    def _read(self, client):
        try:
            data = client.sock.recv(1 << 20)
        except BlockingIOError:
            return
        except ConnectionResetError:
            self._close(client, "reset")
            return
        client.last_io = time.monotonic()
        if not data:
            self._close(client, "eof")
            return
        if client.first_byte_at is None:
            client.first_byte_at = client.last_io
        client.bytes += len(data)
        try:
            events = client.parser.feed(data)
            for event in events:
                client.on_event(event)
            if (client.stamped and events and events[-1].type == b"stdout" and
                    client.last_io - client.delay_at >= 0.5):
                client.delay_at = client.last_io
                stamp = events[-1].data.split(b" ", 2)[1]
                client.delays.append((client.last_io, time.time() - float(stamp)))
        except ProtocolError as e:
            client.error = str(e)
            self._close(client, "protocol error")
            return
        if client.parser.ended:
            self._close(client, "end")

    def _run(self):
        try:
            for client in self.clients:
                if not client.done:
                    self._connect(client)
            while not self._stopping:
                for key, _ in self._selector.select(0.05):
                    self._read(key.data)
                now = time.monotonic()
                for client in self.clients:
                    if client.sock is not None:
                        if client.idle_timeout and now - client.last_io > client.idle_timeout:
                            self._close(client, "timeout", rst=True)
                        elif client.reconnect_mean:
                            if client.leave_at is None:
                                mean = client.reconnect_mean
                                client.leave_at = now + random.expovariate(1 / mean)
                            elif now >= client.leave_at:
                                client.leave_at = None
                                rst = random.random() < 0.5
                                self._close(client, "left with RST" if rst else "left", rst=rst)
                    elif (client.resume and not client.done and client.error is None
                          and now >= client.retry_at):
                        self._connect(client)
                if all(c.done or c.error or (not c.resume and not c.sock) for c in self.clients):
                    break
        except Exception as e:  # surfaced by wait_done's callers through `crash`
            self.crash = repr(e)
            raise
        finally:
            for client in self.clients:
                if client.sock is not None:
                    self._close(client, "stopped")


# --- disconnecting clients (test_faults' churn) --------------------------------------------

CHURN_KINDS = ("connect-close", "connect-rst", "half-request-close", "half-request-rst",
               "mid-stream-close", "mid-stream-rst", "resume-mid-stream-rst", "status-rst")


def churn_once(port, kind, last_id=None, timeout=10):
    """One connection that goes away early, as `kind` says. Returns what it saw of the
    server ("" if it did not wait for anything)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        if kind.endswith("-rst"):
            set_rst_on_close(sock)
        if kind.startswith("connect"):
            return ""
        if kind.startswith("half-request"):
            sock.sendall(b"GET /eve")
            return ""
        if kind == "status-rst":
            sock.sendall(b"GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            return ""
        headers = b""
        if kind.startswith("resume") and last_id:
            headers = b"Last-Event-ID: " + last_id + b"\r\n"
        sock.sendall(b"GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n")
        # Part of the stream: its head and at least one event or the preamble.
        received = b""
        while b"\n\n" not in received.partition(b"\r\n\r\n")[2]:
            chunk = sock.recv(random.choice((100, 1000, 65536)))
            if not chunk:
                break
            received += chunk
        return received[:12].decode(errors="replace")
    finally:
        sock.close()
