"""A fault-injecting HTTP server on 127.0.0.1, written on raw sockets so that every byte is ours.

```python
with FaultServer() as server:
    api.get(f"{server.url}/reset")          # the connection is reset before the status line
    assert server.attempts["/reset"] == 1   # requests the server read on that path
```

The behaviour is selected by the path (the query string is ignored for counting):

| path                    | behaviour                                                                  |
|-------------------------|----------------------------------------------------------------------------|
| `/ok`                   | 200 JSON `{"ok": true, "attempt": n}` (keep-alive)                         |
| `/reset`                | read the request, then RST (SO_LINGER 0) before any byte of the response   |
| `/reset-mid-body`       | headers with `Content-Length: 1000`, 100 bytes of body, then RST           |
| `/stall`                | read the request, send nothing until `close()` (or the client goes away)   |
| `/stall-upload`         | read the request head only, never the body: the client's upload blocks     |
| `/drip?interval=&size=` | a valid 200 whose body (`size` bytes) is sent one byte every `interval` s  |
| `/flaky/<K>`            | the first K attempts get 503 JSON, the next ones 200 JSON                  |
| `/retry-after?after=`   | the first attempt gets 429 with `Retry-After: <after>` (default 1), then 200 |
| `/truncated-chunked`    | a valid chunked start, then a clean close without the terminating 0-chunk  |
| `/post-reset`           | like `/reset` (for POST requests: must not be retried by default)          |
| `/gzip-bomb?mib=`        | `Content-Encoding: gzip` body of `mib` MiB of zeros (about 1 KiB per MiB)  |
| `/bad-header?name=&value=&status=` | a JSON body with that raw header (a `Content-Length` given  |
|                         | this way replaces the real one), then close                                |
| anything else           | 404                                                                        |

`full_backlog()` gives a port where connecting times out (a listener whose backlog is full) and
`refused_port()` one where it is refused.

`attempts` counts the requests read per path (thread-safe), `requests` records each one
(method, target, lower-cased headers, body), `accepted` the TCP connections accepted and
`open_connections` those not closed yet (a client that discards a connection shows up here).
`close()` wakes every thread (stalls included), joins them and closes every socket; it returns
in milliseconds. Server threads are named `fault-server-*` (see `is_server_thread`).
"""

from __future__ import annotations

import collections
import contextlib
import functools
import json
import selectors
import socket
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

__all__ = ["FaultServer", "Recorded", "full_backlog", "is_server_thread", "refused_port"]

THREAD_PREFIX = "fault-server"
_REASONS = {200: "OK", 404: "Not Found", 429: "Too Many Requests", 503: "Service Unavailable"}
_MAX_HEAD = 64 * 1024


def refused_port() -> int:
    """A port on 127.0.0.1 where nothing listens (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@contextlib.contextmanager
def full_backlog() -> Iterator[int]:
    """A port on 127.0.0.1 whose listen backlog is full: new SYNs go unanswered (connect timeout).

    Linux drops the SYN when the accept queue overflows (`tcp_abort_on_overflow=0`, the default).
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    fillers: list[socket.socket] = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port: int = listener.getsockname()[1]
        for _ in range(3):
            filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            fillers.append(filler)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
        time.sleep(0.02)  # let the handshakes that fit complete
        yield port
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def is_server_thread(thread: threading.Thread) -> bool:
    """True for the threads a `FaultServer` runs (accept loop and connections)."""
    return thread.name.startswith(THREAD_PREFIX)


@dataclass
class Recorded:
    """One request as the server read it."""

    method: str
    target: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path


class _ClientGone(Exception):
    """The client closed the connection (or close() shut it down) before a full request."""


class FaultServer:
    """An HTTP/1.1 server on 127.0.0.1 whose paths misbehave on purpose (see the module docstring)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.attempts: collections.Counter[str] = collections.Counter()
        self.requests: list[Recorded] = []
        self.accepted = 0
        self._parked = 0  # /stall-upload handlers: they never read, so never see the client go
        self._conns: dict[int, socket.socket] = {}
        self._threads: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._wake_r, self._wake_w = socket.socketpair()
        self._acceptor = threading.Thread(
            target=self._accept_loop, name=f"{THREAD_PREFIX}-accept", daemon=True
        )
        self._acceptor.start()

    # --- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop accepting, wake stalled handlers, shut every connection down and join all threads."""
        if self._stop.is_set():
            return
        self._stop.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        self._acceptor.join(2)
        with self._lock:
            conns = list(self._conns.values())
            threads = list(self._threads)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(2)
        for sock in (self._listener, self._wake_r, self._wake_w):
            sock.close()

    @property
    def open_connections(self) -> int:
        """Connections still open on the server side (a parked `/stall-upload` not counted)."""
        with self._lock:
            return len(self._conns) - self._parked

    @property
    def total_attempts(self) -> int:
        with self._lock:
            return sum(self.attempts.values())

    def headers_seen(self, path: str, name: str) -> list[str | None]:
        """The value of header `name` in each request read on `path`, in order."""
        with self._lock:
            return [r.headers.get(name.lower()) for r in self.requests if r.path == path]

    def wait_for(self, path: str, count: int, timeout: float = 2.0) -> None:
        """Block until `count` requests were read on `path` (AssertionError after `timeout`)."""
        deadline = time.monotonic() + timeout
        while self.attempts[path] < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{path}: {self.attempts[path]} attempts, expected {count}")
            time.sleep(0.002)

    # --- accepting -----------------------------------------------------------------------

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_r, selectors.EVENT_READ)
            while not self._stop.is_set():
                for key, _ in selector.select():
                    if key.fileobj is self._wake_r or self._stop.is_set():
                        return
                    try:
                        conn, _addr = self._listener.accept()
                    except (BlockingIOError, InterruptedError):
                        continue
                    conn.setblocking(True)
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    thread = threading.Thread(
                        target=self._serve, args=(conn,), name=f"{THREAD_PREFIX}-conn", daemon=True
                    )
                    with self._lock:
                        self.accepted += 1
                        self._conns[id(conn)] = conn
                        self._threads.append(thread)
                    thread.start()

    def _serve(self, conn: socket.socket) -> None:
        buffer = bytearray()
        try:
            while not self._stop.is_set():
                try:
                    request = self._read_request(conn, buffer)
                except _ClientGone:
                    return
                with self._lock:
                    self.attempts[request.path] += 1
                    attempt = self.attempts[request.path]
                    self.requests.append(request)
                keep_alive = self._respond(conn, request, attempt)
                if not keep_alive or request.headers.get("connection", "").lower() == "close":
                    return
        except OSError:  # the client went away mid-response: nothing more to do
            return
        finally:
            with self._lock:
                self._conns.pop(id(conn), None)
            conn.close()

    # --- HTTP/1.1, minimal ---------------------------------------------------------------

    def _recv(self, conn: socket.socket, buffer: bytearray) -> None:
        try:
            chunk = conn.recv(65536)
        except OSError as exc:
            raise _ClientGone from exc
        if not chunk:
            raise _ClientGone
        buffer += chunk

    def _read_request(self, conn: socket.socket, buffer: bytearray) -> Recorded:
        while b"\r\n\r\n" not in buffer:
            if len(buffer) > _MAX_HEAD:
                raise _ClientGone
            self._recv(conn, buffer)
        head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, target, _version = lines[0].split(" ", 2)
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        buffer[:] = rest
        if urlsplit(target).path == "/stall-upload":  # leave the body in the client's buffers
            return Recorded(method, target, headers)
        if headers.get("transfer-encoding", "").lower() == "chunked":
            while b"0\r\n\r\n" not in buffer:
                self._recv(conn, buffer)
            body, _, rest = bytes(buffer).partition(b"0\r\n\r\n")
            buffer[:] = rest
        else:
            length = int(headers.get("content-length", "0"))
            while len(buffer) < length:
                self._recv(conn, buffer)
            body = bytes(buffer[:length])
            del buffer[:length]
        return Recorded(method, target, headers, body)

    @staticmethod
    def _head(status: int, headers: dict[str, str]) -> bytes:
        lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        text = "\r\n".join(lines) + "\r\n\r\n"
        return text.encode("latin-1" if max(map(ord, text)) < 256 else "utf-8")

    def _send_json(
        self,
        conn: socket.socket,
        status: int,
        payload: object,
        extra: dict[str, str] | None = None,
    ) -> None:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        headers.update(extra or {})
        conn.sendall(self._head(status, headers) + body)

    @staticmethod
    def _reset(conn: socket.socket) -> None:
        """Close with SO_LINGER 0: the kernel sends RST instead of FIN."""
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _stall(self, conn: socket.socket) -> None:
        """Send nothing until close() or until the client closes its end."""
        while not self._stop.is_set():
            if _readable(conn, 0.02):
                try:
                    if not conn.recv(65536):
                        return
                except OSError:
                    return

    def _pause(self, conn: socket.socket, seconds: float) -> bool:
        """Wait `seconds`; True (stop now) if close() was called or the client went away."""
        if _readable(conn, seconds):  # close() shuts the socket down, which also wakes this
            try:
                gone = not conn.recv(1, socket.MSG_PEEK)
            except OSError:
                gone = True
            if gone or self._stop.is_set():
                return True
            self._stop.wait(seconds)  # a request sent early: just finish the pause
        return self._stop.is_set()

    def _respond(self, conn: socket.socket, request: Recorded, attempt: int) -> bool:
        """Answer one request; True to keep the connection open for the next one."""
        path = request.path
        query = {k: v[-1] for k, v in parse_qs(urlsplit(request.target).query).items()}
        if path == "/ok":
            self._send_json(conn, 200, {"ok": True, "attempt": attempt})
            return True
        if path in ("/reset", "/post-reset"):
            self._reset(conn)
            return False
        if path == "/reset-mid-body":
            conn.sendall(self._head(200, {"Content-Length": "1000"}) + b"x" * 100)
            self._stop.wait(0.02)  # let the client start reading the body
            self._reset(conn)
            return False
        if path == "/stall-upload":
            with self._lock:
                self._parked += 1
            try:
                self._stop.wait()  # never read: the client's send buffer fills up
            finally:
                with self._lock:
                    self._parked -= 1
            return False
        if path == "/stall":
            self._stall(conn)
            return False
        if path == "/drip":
            interval = float(query.get("interval", "0.02"))
            size = int(query.get("size", "10"))
            conn.sendall(self._head(200, {"Content-Length": str(size)}))
            for _ in range(size):
                if self._pause(conn, interval):
                    return False
                conn.sendall(b"x")
            return True
        if path.startswith("/flaky/"):
            failures = int(path.rsplit("/", 1)[1])
            if attempt <= failures:
                self._send_json(conn, 503, {"ok": False, "attempt": attempt})
            else:
                self._send_json(conn, 200, {"ok": True, "attempt": attempt})
            return True
        if path == "/retry-after":
            if attempt == 1:
                after = query.get("after", "1")
                self._send_json(conn, 429, {"ok": False}, {"Retry-After": after})
            else:
                self._send_json(conn, 200, {"ok": True, "attempt": attempt})
            return True
        if path == "/gzip-bomb":
            body = _gzip_zeros(int(query.get("mib", "64")))
            headers = {"Content-Encoding": "gzip", "Content-Length": str(len(body))}
            with contextlib.suppress(OSError):  # the client may stop reading early
                conn.sendall(self._head(200, headers) + body)
            return False
        if path == "/bad-header":
            body = b'{"ok": true}'
            name, value = query.get("name", "X-Odd"), query.get("value", "")
            status = int(query.get("status", "200"))
            head = f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}\r\n"
            head += f"Content-Type: application/json\r\n{name}: {value}\r\n"
            if name.lower() != "content-length":
                head += f"Content-Length: {len(body)}\r\n"
            raw = head.encode("latin-1" if max(map(ord, head)) < 256 else "utf-8")
            conn.sendall(raw + b"\r\n" + body)
            return False
        if path == "/truncated-chunked":
            conn.sendall(
                self._head(200, {"Transfer-Encoding": "chunked"}) + b"5\r\nhello\r\n6\r\n world\r\n"
            )
            return False  # a FIN, not the terminating "0\r\n\r\n"
        self._send_json(conn, 404, {"error": f"no fault at {path}"})
        return True


@functools.lru_cache(maxsize=4)
def _gzip_zeros(mib: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    block = bytes(1 << 20)
    return b"".join(compressor.compress(block) for _ in range(mib)) + compressor.flush()


def _readable(conn: socket.socket, timeout: float) -> bool:
    with selectors.DefaultSelector() as selector:
        selector.register(conn, selectors.EVENT_READ)
        return bool(selector.select(timeout))
