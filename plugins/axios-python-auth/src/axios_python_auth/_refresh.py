"""One token refresh at a time, shared by every request that got 401 with the same credentials.

A request whose attempt was rejected calls `settle(generation_it_sent, refresh)`, and retries
when it returns True:

```
the credentials changed since that attempt      -> True (retry with the current ones)
no refresh is running for that generation       -> lead one: refresh() gives new credentials
                                                   (installed, then True) or None (False)
a refresh is running for that generation        -> share its outcome (axios_python.SingleFlight:
                                                   threads block, tasks of any loop await)
the refresh raised                              -> every request sharing it raises that error
the leader was cancelled                        -> a waiting request leads a new refresh
```

New credentials are installed before the refresh's waiters wake, so a retry always sees them;
and a request that joins once the refresh is done finds the new generation, and just retries.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable

from axios_python import SingleFlight

from ._credentials import Credentials

__all__ = ["RefreshCoordinator"]


class RefreshCoordinator:
    """Holds the current `Credentials`, and the refresh in flight per rejected generation."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self.flights: SingleFlight[bool] = SingleFlight()
        self.refreshes = 0  # refreshes started, for stats and tests
        self._lock = threading.Lock()

    async def settle(
        self,
        sent_generation: int,
        refresh: Callable[[], Awaitable[Credentials | None]],
        *,
        blocking: bool | None = None,
    ) -> bool:
        """Whether a request rejected with `sent_generation` credentials should retry.

        `refresh` is called by the one request that leads the refresh; `blocking` is how the
        others wait (see `SingleFlight.run`: by default, as the call in progress).
        """

        async def lead() -> bool:
            if self.credentials.generation != sent_generation:
                return True  # a refresh ended between the 401 and this call
            with self._lock:
                self.refreshes += 1
            credentials = await refresh()
            if credentials is None:
                return False
            self.credentials = credentials
            return True

        if self.credentials.generation != sent_generation:
            return True
        return await self.flights.run(sent_generation, lead, blocking=blocking)
