"""Load that holds: 1,000 concurrent async calls on one client complete on every transport,
served in arrival order by the `ConnectionLimiter` in front of the pool (httpcore's pool alone
stalled: its assignment of connections is quadratic in waiters). Modest on purpose: the
throughput comparison with c=32 lives in bench/load.py, not in a timed assertion."""

from __future__ import annotations

import asyncio

import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import ConnectionLimiter

pytestmark = pytest.mark.anyio

CONCURRENCY = 1000
REQUESTS = 2000


async def test_a_thousand_concurrent_calls_complete(transport: str, server: LocalServer) -> None:
    # default settings, but a pool wait long enough for a loaded CI machine (the default 5 s
    # bounds the queue: 1,000 waiters at 200 requests/s would already reach it)
    config = {"transport": transport, "base_url": server.url, "timeout": {"pool": 50}}
    errors: list[axios_python.Response] = []
    done = 0

    async with axios_python.create(config) as api:

        async def worker(count: int) -> None:
            nonlocal done
            for _ in range(count):
                response = await api.async_get("/ip", validate_status=None)
                if response.status_code != 200:
                    errors.append(response)
                done += 1

        per_task = REQUESTS // CONCURRENCY
        await asyncio.gather(*(worker(per_task) for _ in range(CONCURRENCY)))
    assert errors == []
    assert done == REQUESTS


async def test_the_async_queue_is_first_come_first_served() -> None:
    limiter = ConnectionLimiter(1)
    order: list[int] = []
    await limiter.acquire_async(None)

    async def waiter(index: int) -> None:
        await limiter.acquire_async(5)
        order.append(index)
        limiter.release_async()

    tasks = []
    for index in range(50):
        tasks.append(asyncio.ensure_future(waiter(index)))
        await asyncio.sleep(0)  # arrive in this order
    limiter.release_async()
    await asyncio.gather(*tasks)
    assert order == list(range(50))


async def test_a_timed_out_or_cancelled_waiter_does_not_lose_a_slot() -> None:
    limiter = ConnectionLimiter(1)
    await limiter.acquire_async(None)
    with pytest.raises(axios_python.TimeoutError) as info:
        await limiter.acquire_async(0.01)
    assert info.value.phase == "pool"
    cancelled = asyncio.ensure_future(limiter.acquire_async(None))
    await asyncio.sleep(0)
    cancelled.cancel()
    limiter.release_async()
    with pytest.raises(asyncio.CancelledError):
        await cancelled
    await asyncio.wait_for(limiter.acquire_async(None), 1)  # the slot is free
