"""Back-off strategies: pure code that, given what happened, returns a delay or gives up.

The pipeline drives them (see `_pipeline.py`); nothing here sleeps or touches the network.

Transitions of one decision, `RetryStrategy.decide(attempt, method, error, response)`:

- the method is not retryable (POST, PATCH unless opted in)        -> give up (None)
- a `CancelError`, or an error that is not a network/timeout error  -> give up
- a network error or timeout and the strategy retries those        -> back-off delay
- a response whose status is in `retry_on_status`                   -> back-off delay, or the
  server's `Retry-After` (seconds or HTTP-date) on 429/503, never shortened; one longer than
  `max_retry_after` (default `max_delay`)                            -> give up now (`math.inf`)
- anything else                                                     -> give up
"""

from __future__ import annotations

import math
import random
import re
import time
from collections.abc import Collection, Iterable
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from ._exceptions import AxiosPythonError, NetworkError, TimeoutError

if TYPE_CHECKING:
    from ._models import Response

__all__ = [
    "IDEMPOTENT_METHODS",
    "ExponentialBackoff",
    "FixedBackoff",
    "LinearBackoff",
    "RetryStrategy",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})
_RETRY_AFTER_STATUSES = frozenset({429, 503})


class RetryStrategy:
    """Base class: subclass it and implement `backoff(attempt)`.

    Args:
        max_delay: upper bound for any single delay, `Retry-After` included.
        retry_on_status: statuses that are retried as if they were failures.
        retry_methods: the methods that may be sent again; replaces the default, the idempotent
            ones (GET, HEAD, OPTIONS, PUT, DELETE, TRACE). To opt POST in as well, pass
            `[*IDEMPOTENT_METHODS, "POST"]`, and only if the server dedupes.
        retry_on_network_errors: retry refused/reset/broken exchanges (default True).
        retry_on_timeouts: retry timeouts (default True).
        respect_retry_after: wait as long as the server's `Retry-After` on 429/503 asks
            (default True), never less.
        max_retry_after: the longest `Retry-After` worth waiting for (default: `max_delay`); a
            server asking for longer makes the call give up at once with the response's error.
    """

    def __init__(
        self,
        *,
        max_delay: float = 30.0,
        retry_on_status: Iterable[int] = (),
        retry_methods: Iterable[str] | None = None,
        retry_on_network_errors: bool = True,
        retry_on_timeouts: bool = True,
        respect_retry_after: bool = True,
        max_retry_after: float | None = None,
    ) -> None:
        if max_delay < 0:
            raise ValueError("max_delay must be >= 0")
        if max_retry_after is not None and not max_retry_after >= 0:
            raise ValueError("max_retry_after must be >= 0")
        self.max_delay = float(max_delay)
        self.max_retry_after = float(max_delay if max_retry_after is None else max_retry_after)
        self.retry_on_status: frozenset[int] = frozenset(retry_on_status)
        self.retry_methods: Collection[str] = (
            IDEMPOTENT_METHODS
            if retry_methods is None
            else frozenset(m.upper() for m in retry_methods)
        )
        self.retry_on_network_errors = retry_on_network_errors
        self.retry_on_timeouts = retry_on_timeouts
        self.respect_retry_after = respect_retry_after

    def backoff(self, attempt: int) -> float:
        """The delay before retry number `attempt` (1 for the first retry), before capping."""
        raise NotImplementedError

    def delay(self, attempt: int) -> float:
        """`backoff(attempt)` capped to `[0, max_delay]`."""
        return min(max(self.backoff(attempt), 0.0), self.max_delay)

    def is_retryable_error(self, error: BaseException) -> bool:
        if isinstance(error, TimeoutError):
            return self.retry_on_timeouts
        return isinstance(error, NetworkError) and self.retry_on_network_errors

    def decide(
        self,
        attempt: int,
        method: str,
        *,
        error: BaseException | None = None,
        response: Response | None = None,
    ) -> float | None:
        """The delay before retry number `attempt`, None to give up (the outcome stands), or
        `math.inf` when the server's `Retry-After` exceeds `max_retry_after` (the caller gives
        up with the response's error). Pure: no sleeping."""
        if method.upper() not in self.retry_methods:
            return None
        if error is not None and not isinstance(error, AxiosPythonError):
            return None
        if response is not None and response.status_code in self.retry_on_status:
            if self.respect_retry_after and response.status_code in _RETRY_AFTER_STATUSES:
                after = parse_retry_after(response.headers.get("retry-after"))
                if after is not None:
                    return after if after <= self.max_retry_after else math.inf
            return self.delay(attempt)
        if error is not None and self.is_retryable_error(error):
            return self.delay(attempt)
        return None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(max_delay={self.max_delay}, retry_on_status={sorted(self.retry_on_status)})"


class ExponentialBackoff(RetryStrategy):
    """`base * multiplier ** (attempt - 1)`, capped by `max_delay`, with "equal jitter".

    With `jitter=True` (the default) each delay `d` becomes `uniform(d / 2, d)`: retries from
    many clients spread out, yet never wait less than half the nominal delay nor more than it.
    Pass `rng=random.Random(seed)` for deterministic jitter, or `jitter=False`.
    """

    def __init__(
        self,
        base: float = 0.5,
        multiplier: float = 2.0,
        max_delay: float = 30.0,
        *,
        jitter: bool = True,
        rng: random.Random | None = None,
        **kwargs: object,
    ) -> None:
        if base < 0 or multiplier < 1:
            raise ValueError("ExponentialBackoff needs base >= 0 and multiplier >= 1")
        super().__init__(max_delay=max_delay, **kwargs)  # type: ignore[arg-type]
        self.base = float(base)
        self.multiplier = float(multiplier)
        self.jitter = jitter
        self._rng = rng or random.Random()

    def backoff(self, attempt: int) -> float:
        # Cap the exponent so that large attempt numbers cannot overflow a float.
        return self.base * self.multiplier ** min(attempt - 1, 256)

    def delay(self, attempt: int) -> float:
        nominal = super().delay(attempt)
        if not self.jitter:
            return nominal
        return self._rng.uniform(nominal / 2, nominal)


class LinearBackoff(RetryStrategy):
    """`delay * attempt`: 1 s, 2 s, 3 s... for `delay=1.0`, capped by `max_delay`."""

    def __init__(self, delay: float = 1.0, *, max_delay: float = 30.0, **kwargs: object) -> None:
        if delay < 0:
            raise ValueError("LinearBackoff needs delay >= 0")
        super().__init__(max_delay=max_delay, **kwargs)  # type: ignore[arg-type]
        self.step = float(delay)

    def backoff(self, attempt: int) -> float:
        return self.step * attempt


class FixedBackoff(RetryStrategy):
    """The same `delay` before every retry."""

    def __init__(self, delay: float = 1.0, *, max_delay: float = 30.0, **kwargs: object) -> None:
        if delay < 0:
            raise ValueError("FixedBackoff needs delay >= 0")
        super().__init__(max_delay=max_delay, **kwargs)  # type: ignore[arg-type]
        self.step = float(delay)

    def backoff(self, attempt: int) -> float:
        return self.step


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` header (delta-seconds or HTTP-date), or None.

    The server controls this value: anything that is not ASCII digits or a valid HTTP-date
    (`"²"`, `"-1"`, `"1e9"`, a date in year 10000) is ignored (None), never an exception.
    """
    if not value:
        return None
    value = value.strip()
    if _DELTA_SECONDS.fullmatch(value):  # str.isdigit() also accepts "²" and "٣"
        return float(value[:_MAX_DIGITS]) if len(value) <= _MAX_DIGITS else _FOREVER
    try:
        when = parsedate_to_datetime(value)
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, seconds)


_DELTA_SECONDS = re.compile(r"[0-9]+")
_MAX_DIGITS = 12  # more seconds than any max_delay: longer values are "forever", capped later
_FOREVER = 1e12
