"""Values the server controls (Retry-After, Content-Length, Content-Encoding, charsets) are
parsed robustly: anything odd is ignored or a typed `AxiosPythonError`, never a bare
exception. Through a raw-socket server, on every transport, sync and async; and a property
test of the retry decision over arbitrary `Retry-After` values."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import axios_python
from axios_python import AxiosPythonError, ExponentialBackoff, FixedBackoff, Response, RetryError
from axios_python._retry import parse_retry_after
from tests.faults import FaultServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


async def outcome(api: axios_python.AxiosPython, mode: str, url: str, **kw: Any) -> Any:
    """The response with its body decoded (data, text, content), or the AxiosPythonError."""

    def use(response: Response) -> Response:
        _ = response.data, response.text, response.content, response.headers
        return response

    try:
        if mode == "sync":
            return await asyncio.to_thread(lambda: use(api.get(url, **kw)))
        return use(await api.async_get(url, **kw))
    except AxiosPythonError as exc:
        return exc


@pytest.mark.parametrize("after", ["²", "٣", "-1", "1e3", "0x10", " ", "Thu, 99 Foo 2024"])
async def test_odd_retry_after_falls_back_to_the_backoff(
    transport: str, mode: str, after: str, faults: FaultServer
) -> None:
    """`Retry-After: ²` raised a bare ValueError out of the retry loop."""
    config = {"transport": transport, "base_url": faults.url, "timeout": 2}
    async with axios_python.create(config) as api:
        result = await outcome(
            api,
            mode,
            f"/retry-after?after={quote(after)}",
            max_retries=1,
            retry_strategy=FixedBackoff(0.01, retry_on_status=[429], max_delay=0.05),
        )
    assert isinstance(result, Response), result
    assert result.status_code == 200
    assert faults.attempts["/retry-after"] == 2


async def test_a_huge_retry_after_gives_up_instead_of_waiting(
    transport: str, mode: str, faults: FaultServer
) -> None:
    """400 digits is a valid, absurd delay: above max_retry_after, the call gives up at once
    with the last response (never an OverflowError, never an earlier retry)."""
    config = {"transport": transport, "base_url": faults.url, "timeout": 2}
    async with axios_python.create(config) as api:
        result = await outcome(
            api,
            mode,
            f"/retry-after?after={'9' * 400}",
            max_retries=1,
            retry_strategy=FixedBackoff(0.01, retry_on_status=[429], max_delay=0.05),
        )
    assert isinstance(result, RetryError), result
    assert result.response is not None
    assert result.response.status_code == 429
    assert faults.attempts["/retry-after"] == 1


BAD_HEADERS = [
    ("Content-Length", "abc"),
    ("Content-Length", "-1"),
    ("Content-Length", "5, 7"),
    ("Content-Length", "99999999999999999999999"),
    ("Content-Length", "²"),
    ("Content-Encoding", "gzip"),
    ("Content-Encoding", "deflate"),
    ("Content-Encoding", "br"),
    ("Content-Encoding", "x-unknown, gzip"),
    ("Content-Encoding", "²"),
    ("Content-Type", "text/plain; charset=bogus-9"),
    ("Content-Type", "application/json; charset=utf-32"),
    ("Content-Type", 'text/html; charset=""'),
    ("Retry-After", "²"),
]


@pytest.mark.parametrize(("name", "value"), BAD_HEADERS)
async def test_odd_framing_and_encoding_headers_are_typed(
    transport: str, mode: str, name: str, value: str, faults: FaultServer
) -> None:
    config = {"transport": transport, "base_url": faults.url, "timeout": 2}
    async with axios_python.create(config) as api:
        result = await outcome(
            api,
            mode,
            f"/bad-header?name={quote(name)}&value={quote(value)}&status=503",
            max_retries=1,
            retry_strategy=FixedBackoff(0.01, retry_on_status=[503]),
        )
    assert isinstance(result, (Response, AxiosPythonError)), repr(result)


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.binary(max_size=40).filter(lambda b: not (set(b) & {0, 10, 13})),
        st.from_regex(r"\A[0-9]{1,30}\Z").map(str.encode),
        st.datetimes().map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT").encode()),
        st.text(st.characters(categories=["Nd", "No"]), min_size=1, max_size=4).map(
            lambda t: t.encode("utf-8")
        ),
    ),
    status=st.sampled_from([429, 503, 500]),
    attempt=st.integers(min_value=1, max_value=400),
)
@example(value="²".encode("latin-1"), status=429, attempt=1)
def test_the_retry_decision_never_raises(value: bytes, status: int, attempt: int) -> None:
    """Whatever the server sends in Retry-After, the decision is a delay within [0, max_delay],
    or `math.inf` ("give up") exactly when the server asked for more than `max_retry_after`."""
    strategy = ExponentialBackoff(max_delay=7.0, retry_on_status=[429, 503, 500])
    request = httpx.Request("GET", "http://127.0.0.1/")
    response = Response(
        raw=httpx.Response(status, headers=[(b"Retry-After", value)], request=request)
    )
    delay = strategy.decide(attempt, "GET", response=response)
    parsed = parse_retry_after(response.headers.get("retry-after"))
    assert parsed is None or parsed >= 0.0
    assert delay is not None
    if delay == math.inf:
        assert parsed is not None
        assert parsed > strategy.max_retry_after
    else:
        assert 0.0 <= delay <= 7.0
