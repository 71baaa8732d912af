"""`CircuitBreakerPlugin`: stop calling an origin that keeps failing, for the whole fleet.

```
         N consecutive failures                 recovery_timeout passed
closed ------------------------------> open -------------------------------> half-open
  ^                                      ^                                      |
  |          the probe succeeded         |        the probe failed              | one call
  +--------------------------------------+--------------------------------------+ (the probe)
                                         goes out; the others fail at once
```

- **closed**: calls go out; each failure (a `NetworkError`, a `TimeoutError`, a status in
  `failure_statuses`) counts, each success resets the count.
- **open**: every call fails at once with `CircuitOpenError`, without touching the network
  (not retried: retry strategies only retry network errors and timeouts).
- **half-open**: one call, the *probe*, goes out; the others fail at once. Its success closes
  the circuit, its failure opens it for another `recovery_timeout`.

The state is a handful of counters in the store, so one process tripping the breaker
protects every process sharing it (`storage="redis://..."`):

| counter | meaning | lives |
|---|---|---|
| `fail:<key>` | consecutive failures | `failure_window` |
| `open:<key>` | the circuit is open | `recovery_timeout` |
| `trip:<key>` | it opened, and has not closed since: half-open once `open` is gone | `recovery_timeout + half_open_window` |
| `probe:<key>` | a probe is out (the first to increment it sends it) | `probe_timeout` |

Counter lifetimes are whole seconds (what every `limits` storage supports). Checks run per
attempt (`on_request`), outcomes are recorded per attempt (`on_response`, `on_error`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from limits.storage import Storage

from axios_python import (
    AxiosPythonError,
    ConfigError,
    NetworkError,
    Plugin,
    Response,
    TimeoutError,
)

from ._errors import CircuitOpenError
from ._store import SharedState, open_storage
from ._util import KeyFunc, key_function

__all__ = ["DEFAULT_FAILURE_STATUSES", "CircuitBreakerPlugin"]

DEFAULT_FAILURE_STATUSES = frozenset({500, 502, 503, 504})
_PROBE = "axios_python_resilience.probe"  # config entry of the attempt that is a probe


class CircuitBreakerPlugin(Plugin):
    """Opens the circuit of a key after `failure_threshold` consecutive failures; while open,
    calls raise `CircuitOpenError` at once; after `recovery_timeout` one probe may go out.

    Args:
        failure_threshold: consecutive failures that open the circuit.
        recovery_timeout: seconds the circuit stays open before a probe may go out.
        key: `"origin"` (scheme, host and port) or a function of the request config.
        storage: `"memory://"` (this process), `"redis://host:port/db"` (every process using
            that Redis), any `limits` storage URL, or a `limits.storage.Storage`.
        failure_statuses: response statuses that count as failures (default 500, 502, 503,
            504). Network errors and timeouts always count.
        failure_window: seconds a run of failures is remembered without a new one.
        half_open_window: seconds the circuit stays half-open waiting for a probe; after that
            without any call, it closes.
        probe_timeout: seconds before another probe may go out when one never reported back
            (its process died). Default: `max(recovery_timeout, 30)`.
        prefix: the prefix of the keys in the store.
        timeout: socket timeout for the store (Redis).
        retry_interval: after a store failure, seconds it is skipped (calls go out).
    """

    name = "circuit-breaker"

    def __init__(
        self,
        failure_threshold: int = 5,
        recovery_timeout: float = 30.0,
        *,
        key: str | KeyFunc = "origin",
        storage: str | Storage = "memory://",
        failure_statuses: Iterable[int] = DEFAULT_FAILURE_STATUSES,
        failure_window: float = 60.0,
        half_open_window: float = 300.0,
        probe_timeout: float | None = None,
        prefix: str = "axios_python:cb:",
        timeout: float = 0.5,
        retry_interval: float = 5.0,
    ) -> None:
        if not isinstance(failure_threshold, int) or failure_threshold < 1:
            raise ConfigError(
                f"failure_threshold must be a positive integer, not {failure_threshold!r}"
            )
        for name, value in (
            ("recovery_timeout", recovery_timeout),
            ("failure_window", failure_window),
            ("half_open_window", half_open_window),
        ):
            if not isinstance(value, (int, float)) or value <= 0:
                raise ConfigError(f"{name} must be a number of seconds > 0, not {value!r}")
        self.failure_threshold = failure_threshold
        self.recovery_timeout = float(recovery_timeout)
        self.key = key_function(key)
        self.failure_statuses = frozenset(failure_statuses)
        self.failure_window = float(failure_window)
        self.half_open_window = float(half_open_window)
        self.probe_timeout = float(
            probe_timeout if probe_timeout is not None else max(recovery_timeout, 30.0)
        )
        self.state = SharedState(open_storage(storage, timeout), prefix, retry_interval)

    def __repr__(self) -> str:
        return (
            f"<CircuitBreakerPlugin threshold={self.failure_threshold} "
            f"recovery={self.recovery_timeout:g}s storage={self.state!r}>"
        )

    # --- hooks ---------------------------------------------------------------------------

    def on_request(self, config: dict[str, Any]) -> None:
        """Let the attempt go (closed, or as the probe), or raise `CircuitOpenError`."""
        key = self.key(config)
        self.before(key, config)

    def on_response(self, response: Response, config: dict[str, Any]) -> None:
        """A status in `failure_statuses` is a failure; anything else a success."""
        if response.from_cache:
            return
        key = self.key(config)
        probe = bool(config.pop(_PROBE, False))
        if response.status_code in self.failure_statuses:
            self.failed(key, probe)
        else:
            self.succeeded(key, probe)

    def on_error(self, error: AxiosPythonError, config: dict[str, Any]) -> None:
        """A network error or a timeout is a failure; a probe that ended otherwise (cancelled,
        say) frees the probe slot."""
        if isinstance(error, CircuitOpenError):
            return
        probe = bool(config.pop(_PROBE, False))
        if isinstance(error, (NetworkError, TimeoutError)):
            self.failed(self.key(config), probe)
        elif probe and error.response is None:
            self.state.clear("probe:" + self.key(config))

    # --- the state machine ---------------------------------------------------------------

    def status(self, key: str) -> str:
        """`"closed"`, `"open"` or `"half-open"` for `key`, as the store says now."""
        if self.state.get("open:" + key):
            return "open"
        if self.state.get("trip:" + key):
            return "half-open"
        return "closed"

    def before(self, key: str, config: dict[str, Any]) -> None:
        state = self.state
        if state.get("open:" + key):
            remaining = state.remaining("open:" + key)
            raise CircuitOpenError(
                f"circuit open for {key}: {self.failure_threshold} consecutive failures; "
                f"a probe may go out in {math.ceil(remaining)} s",
                key=key,
                retry_after=remaining,
                config=config,
            )
        if not state.get("trip:" + key):
            return  # closed
        if state.incr("probe:" + key, self.probe_timeout) <= 1:
            config[_PROBE] = True  # half-open: this attempt is the probe (0: store down)
            return
        raise CircuitOpenError(
            f"circuit half-open for {key}: a probe is in flight",
            key=key,
            retry_after=None,
            config=config,
        )

    def failed(self, key: str, probe: bool) -> None:
        if probe or self.state.incr("fail:" + key, self.failure_window) >= self.failure_threshold:
            self.trip(key)

    def succeeded(self, key: str, probe: bool) -> None:
        state = self.state
        if probe or state.get("trip:" + key):
            state.clear("trip:" + key)
            state.clear("probe:" + key)
        state.clear("fail:" + key)

    def trip(self, key: str) -> None:
        """Open the circuit of `key` for `recovery_timeout` (for every process)."""
        state = self.state
        state.set_for("open:" + key, self.recovery_timeout)
        state.set_for("trip:" + key, self.recovery_timeout + self.half_open_window)
        state.clear("probe:" + key)
        state.clear("fail:" + key)

    def reset(self, key: str) -> None:
        """Close the circuit of `key` and forget its failures."""
        for name in ("open:", "trip:", "probe:", "fail:"):
            self.state.clear(name + key)
