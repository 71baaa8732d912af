"""`RetryBudgetPlugin`: retries may be at most a fraction of the calls, per key, fleet-wide.

A retry storm multiplies the load on an upstream that is already failing: with 3 retries,
every client sends 4 times as much. A retry budget (as in Finagle and Envoy) caps the retries
of a key at `ratio` of its calls in the current window, plus `min_retries` so that a quiet key
may still retry:

```
attempt 1 -> calls += 1
attempt n>1 -> retries += 1; retries > ratio * calls + min_retries -> RetryBudgetError
```

Both counters live in the store (`memory://`, `redis://...`) for `window` seconds (fixed
windows, starting at a key's first call), so the budget is shared by every process using it.
The refused retry raises `RetryBudgetError`, which the retry engine does not retry. Store down:
fail open (retries allowed), one warning.
"""

from __future__ import annotations

from typing import Any

from limits.storage import Storage

from axios_python import ConfigError, Plugin

from ._errors import RetryBudgetError
from ._store import SharedState, open_storage
from ._util import KeyFunc, key_function

__all__ = ["RetryBudgetPlugin"]


class RetryBudgetPlugin(Plugin):
    """Refuses retries beyond `ratio` of the calls (plus `min_retries`) per key and window.

    Args:
        ratio: retries allowed per call, e.g. 0.2: one retry per five calls.
        min_retries: retries always allowed per window, on top of the ratio.
        window: seconds the counts cover (whole seconds).
        key: `"origin"` or a function of the request config.
        storage: `"memory://"`, `"redis://host:port/db"`, any `limits` storage URL or object.
        prefix, timeout, retry_interval: as for `RateLimitPlugin`.
    """

    name = "retry-budget"

    def __init__(
        self,
        ratio: float = 0.2,
        *,
        min_retries: int = 10,
        window: float = 10.0,
        key: str | KeyFunc = "origin",
        storage: str | Storage = "memory://",
        prefix: str = "axios_python:rb:",
        timeout: float = 0.5,
        retry_interval: float = 5.0,
    ) -> None:
        if not isinstance(ratio, (int, float)) or ratio < 0:
            raise ConfigError(f"ratio must be a number >= 0, not {ratio!r}")
        if not isinstance(min_retries, int) or min_retries < 0:
            raise ConfigError(f"min_retries must be an integer >= 0, not {min_retries!r}")
        if not isinstance(window, (int, float)) or window <= 0:
            raise ConfigError(f"window must be a number of seconds > 0, not {window!r}")
        self.ratio = float(ratio)
        self.min_retries = min_retries
        self.window = float(window)
        self.key = key_function(key)
        self.state = SharedState(open_storage(storage, timeout), prefix, retry_interval)
        self.refused = 0  # retries refused by this process

    def __repr__(self) -> str:
        return f"<RetryBudgetPlugin ratio={self.ratio:g} min_retries={self.min_retries}>"

    def on_request(self, config: dict[str, Any], attempt: int) -> None:
        """Count the call (attempt 1) or the retry; refuse a retry beyond the budget."""
        key = self.key(config)
        state = self.state
        if attempt <= 1:
            state.incr("calls:" + key, self.window)
            return
        retries = state.incr("retries:" + key, self.window)
        calls = state.get("calls:" + key)
        if retries > self.ratio * calls + self.min_retries:
            self.refused += 1
            raise RetryBudgetError(
                f"retry budget of {key} used up: {retries - 1} retries for {calls} calls in "
                f"{self.window:g} s (ratio {self.ratio:g} + {self.min_retries})",
                key=key,
                config=config,
            )
