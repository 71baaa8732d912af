"""Single-flight across processes, for the leader of this process's flight.

Within a process, `axios_python.SingleFlight` collapses identical misses; a storage shared by
several processes may also offer `leases` (see `RedisStorage.leases`), so that one process of
the fleet goes to the network while the others wait for its response to be stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from axios_python import CancelError

__all__ = ["lead_across_processes"]


async def lead_across_processes(
    leases: Any,
    key: str,
    ctx: dict[str, Any],
    next_fn: Callable[..., Any],
    hit: Callable[[], Awaitable[Any]],
) -> Any:
    """Go to the network with the lease of `key`, or look the cache up again without it.

    Without the lease (another process led, and is done or its lease expired), the cache is
    looked up again (`await hit()`), and only a miss goes to the network.
    """
    token = ctx.get("cancel_token")

    def cancelled() -> bool:
        return token is not None and token.is_cancelled

    lease = await leases.acquire(key, cancelled)
    if lease is None:
        if token is not None and token.is_cancelled:
            raise CancelError(token.reason or "Request cancelled", config=ctx)
        response = await hit()
        if response is not None:
            return response
        return await next_fn(ctx)
    try:
        return await next_fn(ctx)
    finally:
        await leases.release(key, lease)
