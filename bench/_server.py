"""A minimal, fast HTTP/1.1 keep-alive server for the benchmark (stdlib only).

Run as a separate process, so that it does not share the client's GIL::

    python bench/_server.py [PORT]

It binds 127.0.0.1 (port 0 = any free port), prints ``PORT <n>`` on stdout once it listens, and
serves, with pre-built responses:

- ``GET /json``: a ~100-byte JSON body (``Content-Type: application/json``, ``Content-Length``);
- ``GET /big``: 1 MiB of bytes (``application/octet-stream``, ``Content-Length``);
- anything else: 404.

It stops when its stdin reaches end of file (the benchmark closed the pipe, or died) and on
SIGTERM, so it never outlives the benchmark. It ignores SIGINT: a Ctrl-C reaches the whole process
group, and the benchmark, not the server, decides when to stop.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys

JSON_BODY = (
    b'{"id":12345,"name":"axios_python bench","tags":["a","b","c"],'
    b'"active":true,"score":98.6,"items":[1,2,3]}'
)
BIG_BODY = bytes(range(256)) * 4096  # 1 MiB
assert len(BIG_BODY) == 1 << 20


def _response(status: bytes, content_type: bytes, body: bytes) -> bytes:
    head = (
        b"HTTP/1.1 " + status + b"\r\n"
        b"Server: bench\r\n"
        b"Content-Type: " + content_type + b"\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n"
        b"\r\n"
    )
    return head + body


ROUTES: dict[bytes, bytes] = {
    b"/json": _response(b"200 OK", b"application/json", JSON_BODY),
    b"/big": _response(b"200 OK", b"application/octet-stream", BIG_BODY),
}
NOT_FOUND = _response(b"404 Not Found", b"text/plain", b"not found")
MAX_HEAD = 64 * 1024


class HTTPProtocol(asyncio.Protocol):
    """One keep-alive connection: parse request heads, answer each with a pre-built response."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.skip = 0  # request-body bytes still to discard

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        transport = self.transport
        assert transport is not None
        buffer = self.buffer + data if self.buffer else data
        while buffer:
            if self.skip:
                taken = min(self.skip, len(buffer))
                self.skip -= taken
                buffer = buffer[taken:]
                continue
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > MAX_HEAD:
                    transport.close()
                    return
                break
            head = buffer[:end]
            buffer = buffer[end + 4 :]
            request_line, _, header_block = head.partition(b"\r\n")
            parts = request_line.split(b" ")
            path = parts[1].partition(b"?")[0] if len(parts) == 3 else b""
            close = False
            for line in header_block.split(b"\r\n"):
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    self.skip = int(value.strip() or b"0")
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            transport.write(ROUTES.get(path, NOT_FOUND))
            if close:
                transport.close()
                return
        self.buffer = buffer

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def request_stop() -> None:
        if not stop.done():
            stop.set_result(None)

    loop.add_signal_handler(signal.SIGTERM, request_stop)

    stdin = sys.stdin.fileno()

    def on_stdin() -> None:
        try:
            data = os.read(stdin, 4096)
        except OSError:
            data = b""
        if not data:
            loop.remove_reader(stdin)
            request_stop()

    loop.add_reader(stdin, on_stdin)
    server = await loop.create_server(HTTPProtocol, "127.0.0.1", port, backlog=128)
    bound = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"PORT {bound}\n")
    sys.stdout.flush()
    try:
        await stop
    finally:
        server.close()  # open keep-alive connections die with the process


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    # Ctrl-C reaches the whole process group: let the benchmark handle it and stop us (by closing
    # our stdin) once its clients are closed, instead of dying under their feet.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    asyncio.run(serve(port))


if __name__ == "__main__":
    main()
