"""The errors the resilience plugins raise (both are `AxiosPythonError`s, never retried)."""

from __future__ import annotations

from typing import Any

from axios_python import AxiosPythonError

__all__ = ["CircuitOpenError", "RateLimitError", "RetryBudgetError"]


class _Refused(AxiosPythonError):
    """A call refused for `key`, which may go again in `retry_after` seconds (None: unknown)."""

    def __init__(
        self, message: str, *, key: str = "", retry_after: float | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, **kwargs)
        self.key = key
        self.retry_after = retry_after


class CircuitOpenError(_Refused):
    """The circuit of this key is open (or half-open with its probe in flight): the call
    failed at once, without touching the network. `key` names the circuit, `retry_after` the
    seconds until a probe may go out (None when unknown)."""

    default_code = "ERR_CIRCUIT_OPEN"


class RateLimitError(_Refused):
    """The rate limit of `key` is reached and the plugin does not wait (`on_limit="raise"`), or
    waiting would take longer than the request's timeout. `retry_after`: seconds until a
    request may go."""

    default_code = "ERR_RATE_LIMITED"


class RetryBudgetError(AxiosPythonError):
    """A retry was refused: the retries of `key` in the current window already use up the
    budget (`ratio` of the calls, plus `min_retries`). Raised instead of the retry attempt,
    and not retried itself."""

    default_code = "ERR_RETRY_BUDGET"

    def __init__(self, message: str, *, key: str = "", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.key = key
