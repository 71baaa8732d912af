"""Cancellation reaches every wait: a sync call waiting for a pool slot aborts when its token
is cancelled (it waited for the whole pool timeout), and cancelled connects leave no thread
and no file descriptor behind (a helper thread per connect used to outlive the cancel)."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import axios_python
from axios_python import CancelError, CancelToken
from tests.faults import FaultServer, full_backlog

pytestmark = pytest.mark.anyio


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


async def call(api: axios_python.AxiosPython, mode: str, url: str, **kw: Any) -> Any:
    if mode == "sync":
        return await asyncio.to_thread(api.get, url, **kw)
    return await api.async_get(url, **kw)


async def test_a_cancel_aborts_a_wait_for_a_pool_slot(
    transport: str, mode: str, faults: FaultServer
) -> None:
    """Sync waiters raised only when the pool timeout ran out (7.5 s after cancel)."""
    config = {
        "transport": transport,
        "base_url": faults.url,
        "timeout": {"pool": 8, "connect": 2, "read": 10},
        "limits": httpx.Limits(max_connections=1),
    }
    holder, waiters = CancelToken(), CancelToken()
    async with axios_python.create(config) as api:
        busy = asyncio.ensure_future(call(api, mode, "/stall", cancel_token=holder))
        deadline = time.monotonic() + 2
        while faults.attempts["/stall"] < 1:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.005)
        queued = [
            asyncio.ensure_future(call(api, mode, "/ok", cancel_token=waiters)) for _ in range(3)
        ]
        await asyncio.sleep(0.1)  # all three wait for the one connection
        started = time.monotonic()
        waiters.cancel("enough")
        for task in queued:
            with pytest.raises(CancelError, match="enough"):
                await task
        assert time.monotonic() - started < 1.0
        holder.cancel()
        with pytest.raises(CancelError):
            await busy
        assert (await call(api, mode, "/ok")).status_code == 200  # the slot came back
    assert faults.attempts["/ok"] == 1


def _threads() -> int:
    """Live threads, not counting the event loop's executor (asyncio.to_thread's workers)."""
    return sum(1 for t in threading.enumerate() if not t.name.startswith("asyncio"))


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts fds in /proc (Linux)")
async def test_cancelled_connects_leave_nothing_behind(transport: str, mode: str) -> None:
    """10 connects to a port that never answers, connect timeout None, then cancel: every
    thread and every socket is gone at once."""
    async with axios_python.create(
        {"transport": transport, "timeout": {"connect": None, "read": 5}}
    ) as api:
        with full_backlog() as port:
            threads, fds = _threads(), _fds()
            token = CancelToken()
            tasks = [
                asyncio.ensure_future(
                    call(api, mode, f"http://127.0.0.1:{port}/{i}", cancel_token=token)
                )
                for i in range(10)
            ]
            await asyncio.sleep(0.2)
            token.cancel()
            for task in tasks:
                with pytest.raises(CancelError):
                    await task
            await asyncio.sleep(0.05)
            assert [t.name for t in threading.enumerate() if "connect" in t.name] == []
            assert _threads() <= threads
            assert _fds() <= fds
