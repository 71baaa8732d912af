"""Contract tests of the aiohttp privates the transport touches (axios_python_aiohttp/
_internals.py): each fails loudly when an aiohttp release renames one or stops calling it, and
`test_each_contract_fails_when_its_private_is_gone` shows that they can."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
import pytest
from axios_python_aiohttp._internals import (
    MARKS,
    TimedConnector,
    TimedRequest,
    never_resend,
)
from axios_python_testserver import LocalServer

# --- the contracts -------------------------------------------------------------------------


def sessions_resend_through_retry_connection() -> None:
    """`ClientSession._retry_connection` exists and is what `_request` reads to resend."""
    assert "_retry_connection" in aiohttp.ClientSession.ATTRS
    assert "self._retry_connection" in inspect.getsource(aiohttp.ClientSession._request)


def requests_are_sent_by_send() -> None:
    """`ClientRequest.send(conn)` is a coroutine, and the session sends each request with it
    (`TimedRequest.send` marks its end)."""
    assert inspect.iscoroutinefunction(getattr(aiohttp.ClientRequest, "send", None))
    assert "req.send(conn)" in inspect.getsource(aiohttp.ClientSession._request)


def bodies_are_written_by_write_bytes() -> None:
    """`ClientRequest.write_bytes` is a coroutine, and `send` writes a body with it
    (`TimedRequest.write_bytes` marks its end)."""
    assert inspect.iscoroutinefunction(getattr(aiohttp.ClientRequest, "write_bytes", None))
    assert "self.write_bytes(" in inspect.getsource(aiohttp.ClientRequest.send)


def connections_are_opened_by_create_connection() -> None:
    """`TCPConnector._create_connection` is a coroutine of its own (not only the base class's
    stub), and `connect` opens each new connection with it (`TimedConnector` marks its start
    and end)."""
    own = vars(aiohttp.TCPConnector).get("_create_connection")
    assert inspect.iscoroutinefunction(own)
    assert "self._create_connection(" in inspect.getsource(aiohttp.BaseConnector.connect)


CONTRACTS = [
    sessions_resend_through_retry_connection,
    requests_are_sent_by_send,
    bodies_are_written_by_write_bytes,
    connections_are_opened_by_create_connection,
]


@pytest.mark.parametrize("contract", CONTRACTS, ids=lambda contract: contract.__name__)
def test_contract(contract: Callable[[], None]) -> None:
    contract()


# --- each contract can fail ----------------------------------------------------------------


async def _stub(*args: Any, **kwargs: Any) -> None:
    """A method that calls nothing: aiohttp's, once it no longer goes through the private."""


GONE: list[tuple[Callable[[], None], Any, str, Any]] = [
    # (contract, owner, attribute, replacement: None deletes it)
    (sessions_resend_through_retry_connection, aiohttp.ClientSession, "ATTRS", frozenset()),
    (sessions_resend_through_retry_connection, aiohttp.ClientSession, "_request", _stub),
    (requests_are_sent_by_send, aiohttp.ClientRequest, "send", None),
    (requests_are_sent_by_send, aiohttp.ClientSession, "_request", _stub),
    (bodies_are_written_by_write_bytes, aiohttp.ClientRequest, "write_bytes", None),
    (bodies_are_written_by_write_bytes, aiohttp.ClientRequest, "send", _stub),
    (connections_are_opened_by_create_connection, aiohttp.TCPConnector, "_create_connection", None),
    (connections_are_opened_by_create_connection, aiohttp.BaseConnector, "connect", _stub),
]


@pytest.mark.parametrize(
    ("contract", "owner", "attribute", "replacement"),
    GONE,
    ids=[
        f"{c.__name__}-{o.__name__}.{a}-{'gone' if r is None else 'replaced'}"
        for c, o, a, r in GONE
    ],
)
def test_each_contract_fails_when_its_private_is_gone(
    monkeypatch: pytest.MonkeyPatch,
    contract: Callable[[], None],
    owner: type,
    attribute: str,
    replacement: Any,
) -> None:
    if replacement is None:
        monkeypatch.delattr(owner, attribute)
    else:
        monkeypatch.setattr(owner, attribute, replacement)
    with pytest.raises(AssertionError):
        contract()


# --- the hooks at work ---------------------------------------------------------------------


def test_a_session_resends_unless_told_not_to() -> None:
    """`_retry_connection` is on by default, and `never_resend` turns it off."""

    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            assert session._retry_connection is True
            never_resend(session)
            assert session._retry_connection is False

    asyncio.run(main())


def new_marks() -> SimpleNamespace:
    return SimpleNamespace(sent=None, dns_start=None, dns_end=None, created=None, connected=None)


def test_the_timed_classes_mark_each_phase() -> None:
    """Through a session with `TimedConnector` and `TimedRequest`: a new connection's DNS
    lookup and opening, then the request sent; a reused connection's request sent only, and
    an iterator body's `sent` after its last chunk (written by aiohttp's task of its own)."""
    last_chunk: list[float] = []

    async def body() -> AsyncIterator[bytes]:
        for _ in range(2):
            await asyncio.sleep(0.02)
            yield b"x" * 10
        last_chunk.append(time.perf_counter())

    async def main(url: str) -> tuple[SimpleNamespace, SimpleNamespace]:
        connector = TimedConnector()
        async with aiohttp.ClientSession(
            connector=connector, request_class=TimedRequest
        ) as session:
            first, second = new_marks(), new_marks()
            MARKS.set(first)
            async with session.get(url + "/get") as resp:
                await resp.read()
            MARKS.set(second)
            async with session.post(url + "/post", data=body()) as resp:
                assert (await resp.json())["data"] == "x" * 20
        return first, second

    with LocalServer() as server:
        url = server.url.replace("127.0.0.1", "localhost")
        first, second = asyncio.run(main(url))
        assert server.connections == 1
    assert first.created <= first.dns_start <= first.dns_end <= first.connected <= first.sent
    assert second.created is None
    assert second.dns_start is None
    assert second.connected is None
    assert second.sent >= last_chunk[0]
