"""Exactly the resends asked for: the server counts every arrival, for each fault, transport,
mode and method, with `max_retries=0` (one arrival) and `max_retries=2` (three, for the
methods that are retried). No library below the pipeline may send a request again on its own
(aiohttp did, once, for an idempotent request on a reused connection)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

import axios_python
from axios_python import FixedBackoff
from tests.faults import FaultServer

pytestmark = pytest.mark.anyio

FAULTS = ["/reset", "/reset-mid-body", "/truncated-chunked", "/stall"]
METHODS = ["GET", "HEAD", "PUT", "DELETE", "POST", "PATCH"]
# (method, max_retries): every method without retries, and a retried and a refused one with
CASES = [*((method, 0) for method in METHODS), ("GET", 2), ("POST", 2)]


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


async def send(api: axios_python.AxiosPython, mode: str, method: str, url: str, **kw: Any) -> None:
    try:
        if mode == "sync":
            await asyncio.to_thread(api.request, method, url, **kw)
        else:
            await api.async_request(method, url, **kw)
    except axios_python.AxiosPythonError:
        pass


@pytest.mark.parametrize(("method", "retries"), CASES)
@pytest.mark.parametrize("fault", FAULTS)
async def test_arrivals_are_exactly_the_attempts(
    transport: str, mode: str, fault: str, method: str, retries: int, faults: FaultServer
) -> None:
    config = {
        "transport": transport,
        "base_url": faults.url,
        "timeout": {"connect": 2, "read": 0.2, "write": 2, "pool": 2},
        "verify": False,
        "max_retries": retries,
        "retry_strategy": FixedBackoff(0.01),
    }
    async with axios_python.create(config) as api:
        # a kept-alive connection first: the fault then hits a *reused* connection, where
        # aiohttp's hidden retry used to send the request a second time
        await send(api, mode, "GET", "/ok")
        await send(api, mode, method, fault)
    if method == "HEAD" and fault in ("/reset-mid-body", "/truncated-chunked"):
        return  # the fault is in a body that a HEAD response does not have
    retried = method not in ("POST", "PATCH")  # the default strategy retries idempotent ones
    expected = 1 + (retries if retried else 0)
    assert faults.attempts[fault] == expected
    assert faults.attempts["/ok"] == 1
