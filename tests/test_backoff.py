"""The back-off strategies as pure functions: property tests of the delays, and decide()."""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from axios_python import (
    CancelError,
    ConfigError,
    ExponentialBackoff,
    FixedBackoff,
    HTTPStatusError,
    LinearBackoff,
    NetworkError,
    Response,
    RetryStrategy,
    TimeoutError,
)
from axios_python._retry import IDEMPOTENT_METHODS

settings.register_profile("backoff", deadline=None, max_examples=150)
settings.load_profile("backoff")

attempts = st.integers(min_value=1, max_value=10_000)
small_attempts = st.integers(min_value=1, max_value=60)
bases = st.floats(min_value=0, max_value=100, allow_nan=False)
multipliers = st.floats(min_value=1, max_value=10, allow_nan=False)
max_delays = st.floats(min_value=0, max_value=3600, allow_nan=False)
steps = st.floats(min_value=0, max_value=100, allow_nan=False)
seeds = st.integers(min_value=0, max_value=2**32)


# --- nominal delays ------------------------------------------------------------------------


@given(bases, multipliers, max_delays, small_attempts)
def test_exponential_is_monotone_and_capped(
    base: float, multiplier: float, max_delay: float, attempt: int
) -> None:
    """Without jitter: base * multiplier**(n-1), never above max_delay, never decreasing."""
    strategy = ExponentialBackoff(base, multiplier, max_delay, jitter=False)
    delay, following = strategy.delay(attempt), strategy.delay(attempt + 1)
    assert 0 <= delay <= following <= max_delay
    assert delay == pytest.approx(min(base * multiplier ** (attempt - 1), max_delay))


def test_exponential_readme_sequence() -> None:
    """base=0.5, multiplier=2, max_delay=10: 0.5, 1, 2, 4, 8, 10, 10."""
    strategy = ExponentialBackoff(base=0.5, multiplier=2.0, max_delay=10.0, jitter=False)
    assert [strategy.delay(n) for n in range(1, 8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]


@given(bases, multipliers, max_delays, attempts)
def test_exponential_never_overflows(
    base: float, multiplier: float, max_delay: float, attempt: int
) -> None:
    """Huge attempt numbers give a finite delay within [0, max_delay]."""
    strategy = ExponentialBackoff(base, multiplier, max_delay, jitter=False)
    delay = strategy.delay(attempt)
    assert math.isfinite(delay)
    assert 0 <= delay <= max_delay


@given(steps, max_delays, small_attempts)
def test_linear_is_monotone_and_capped(step: float, max_delay: float, attempt: int) -> None:
    """delay * n, never above max_delay, never decreasing."""
    strategy = LinearBackoff(step, max_delay=max_delay)
    delay, following = strategy.delay(attempt), strategy.delay(attempt + 1)
    assert 0 <= delay <= following <= max_delay
    assert delay == pytest.approx(min(step * attempt, max_delay))


def test_linear_readme_sequence() -> None:
    """LinearBackoff(delay=1.0): 1 s, 2 s, 3 s."""
    strategy = LinearBackoff(delay=1.0)
    assert [strategy.delay(n) for n in (1, 2, 3)] == [1.0, 2.0, 3.0]


@given(steps, max_delays, attempts)
def test_fixed_is_constant(step: float, max_delay: float, attempt: int) -> None:
    """The same delay every time (capped by max_delay)."""
    strategy = FixedBackoff(step, max_delay=max_delay)
    assert strategy.delay(attempt) == strategy.delay(1) == min(step, max_delay)


# --- jitter ----------------------------------------------------------------------------------


@given(bases, multipliers, max_delays, small_attempts, seeds)
def test_jitter_stays_within_half_and_full_delay(
    base: float, multiplier: float, max_delay: float, attempt: int, seed: int
) -> None:
    """Equal jitter: each delay d becomes uniform(d / 2, d), d the capped nominal delay."""
    nominal = ExponentialBackoff(base, multiplier, max_delay, jitter=False).delay(attempt)
    jittered = ExponentialBackoff(base, multiplier, max_delay, rng=random.Random(seed))
    delay = jittered.delay(attempt)
    assert nominal / 2 <= delay <= nominal


@given(seeds)
def test_jitter_is_deterministic_with_a_seeded_rng(seed: int) -> None:
    """Two strategies with the same seed give the same sequence of delays."""
    first = ExponentialBackoff(rng=random.Random(seed))
    second = ExponentialBackoff(rng=random.Random(seed))
    sequence = [first.delay(n) for n in range(1, 8)]
    assert sequence == [second.delay(n) for n in range(1, 8)]
    rng = random.Random(seed)  # the formula, spelled out: uniform(d / 2, d) from the same rng
    assert sequence == [rng.uniform(d / 2, d) for d in (0.5, 1, 2, 4, 8, 16, 30)]


def test_jitter_is_on_by_default() -> None:
    """The default ExponentialBackoff jitters: delays vary, within [d/2, d]."""
    strategy = ExponentialBackoff(rng=random.Random(7))
    delays = {strategy.delay(3) for _ in range(50)}
    assert len(delays) > 1
    assert all(1.0 <= d <= 2.0 for d in delays)


def test_defaults() -> None:
    """base 0.5, multiplier 2, max_delay 30, jitter on, idempotent methods only."""
    strategy = ExponentialBackoff()
    assert (strategy.base, strategy.multiplier, strategy.max_delay) == (0.5, 2.0, 30.0)
    assert strategy.jitter is True
    assert strategy.retry_on_status == frozenset()
    assert set(strategy.retry_methods) == {"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"}
    assert frozenset(strategy.retry_methods) == IDEMPOTENT_METHODS


def test_invalid_parameters_raise() -> None:
    """Negative delays, a shrinking multiplier or a negative cap are ValueErrors."""
    with pytest.raises(ValueError, match="base >= 0 and multiplier >= 1"):
        ExponentialBackoff(base=-1)
    with pytest.raises(ValueError, match="base >= 0 and multiplier >= 1"):
        ExponentialBackoff(multiplier=0.5)
    with pytest.raises(ValueError, match="max_delay must be >= 0"):
        ExponentialBackoff(max_delay=-1)
    with pytest.raises(ValueError, match="LinearBackoff needs delay >= 0"):
        LinearBackoff(-1)
    with pytest.raises(ValueError, match="FixedBackoff needs delay >= 0"):
        FixedBackoff(-0.1)


def test_custom_strategy_subclass() -> None:
    """A RetryStrategy subclass only implements backoff(); decide() and the cap come free."""

    class Fibonacci(RetryStrategy):
        def backoff(self, attempt: int) -> float:
            a, b = 0.0, 1.0
            for _ in range(attempt):
                a, b = b, a + b
            return a

    strategy = Fibonacci(max_delay=5)
    assert [strategy.delay(n) for n in range(1, 7)] == [1, 1, 2, 3, 5, 5]
    assert strategy.decide(4, "GET", error=NetworkError("down")) == 3
    with pytest.raises(NotImplementedError):
        RetryStrategy().delay(1)


# --- decide() --------------------------------------------------------------------------------


def exact(**kwargs: object) -> ExponentialBackoff:
    """base 1, multiplier 2, no jitter: decide(n) == 2**(n-1) when retrying."""
    return ExponentialBackoff(base=1, multiplier=2, jitter=False, **kwargs)


def test_decide_gives_up_on_non_idempotent_methods() -> None:
    """POST/PATCH are never retried by default, whatever went wrong."""
    strategy = exact(retry_on_status=[503])
    for method in ("POST", "PATCH", "CONNECT", "post"):
        assert strategy.decide(1, method, error=NetworkError("reset")) is None, method
        assert strategy.decide(1, method, response=Response(503)) is None, method


def test_decide_retries_idempotent_methods() -> None:
    """The idempotent methods (any case) are retried on a network error."""
    for method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE", "get"):
        assert exact().decide(2, method, error=NetworkError("reset")) == 2.0, method


def test_retry_methods_opt_in_replaces_the_set() -> None:
    """retry_methods lists every method that may be retried (it replaces the default set)."""
    post_only = exact(retry_methods=["post"])
    assert post_only.decide(1, "POST", error=NetworkError("reset")) == 1.0
    assert post_only.decide(1, "GET", error=NetworkError("reset")) is None
    both = exact(retry_methods=[*IDEMPOTENT_METHODS, "POST"])
    assert both.decide(1, "GET", error=NetworkError("reset")) == 1.0
    assert both.decide(1, "POST", error=NetworkError("reset")) == 1.0


def test_decide_never_retries_cancel_or_foreign_errors() -> None:
    """CancelError, ConfigError and non-axios exceptions give up."""
    strategy = exact()
    assert strategy.decide(1, "GET", error=CancelError("stop")) is None
    assert strategy.decide(1, "GET", error=ConfigError("bad")) is None
    assert strategy.decide(1, "GET", error=ValueError("bug")) is None


@given(small_attempts)
def test_decide_retries_network_errors_and_timeouts(attempt: int) -> None:
    """NetworkError and TimeoutError (every phase but deadline) give the back-off delay."""
    strategy = exact(max_delay=1e20)
    expected = 2.0 ** (attempt - 1)
    assert strategy.decide(attempt, "GET", error=NetworkError("reset")) == expected
    for phase in ("connect", "read", "write", "pool"):
        assert strategy.decide(attempt, "GET", error=TimeoutError("slow", phase=phase)) == expected


def test_decide_respects_the_error_switches() -> None:
    """retry_on_network_errors / retry_on_timeouts turn each kind off."""
    no_network = exact(retry_on_network_errors=False)
    assert no_network.decide(1, "GET", error=NetworkError("reset")) is None
    assert no_network.decide(1, "GET", error=TimeoutError("slow")) == 1.0
    no_timeouts = exact(retry_on_timeouts=False)
    assert no_timeouts.decide(1, "GET", error=TimeoutError("slow")) is None
    assert no_timeouts.decide(1, "GET", error=NetworkError("reset")) == 1.0


def test_decide_retries_listed_statuses() -> None:
    """A response whose status is in retry_on_status gives the back-off delay."""
    strategy = exact(retry_on_status=[429, 500, 502, 503, 504])
    for status in (429, 500, 502, 503, 504):
        assert strategy.decide(3, "GET", response=Response(status)) == 4.0, status


def test_decide_gives_up_on_unlisted_statuses() -> None:
    """A status (or HTTPStatusError) not in retry_on_status is final."""
    strategy = exact(retry_on_status=[503])
    response = Response(500)
    assert strategy.decide(1, "GET", response=response) is None
    assert strategy.decide(1, "GET", response=Response(200)) is None
    error = HTTPStatusError("500", response=response)
    assert strategy.decide(1, "GET", error=error, response=response) is None
    listed = Response(503)
    error = HTTPStatusError("503", response=listed)
    assert strategy.decide(1, "GET", error=error, response=listed) == 1.0


@given(
    st.sampled_from([429, 503]),
    st.integers(min_value=0, max_value=100_000),
    max_delays,
    small_attempts,
)
def test_decide_honours_retry_after_capped(
    status: int, after: int, max_delay: float, attempt: int
) -> None:
    """Retry-After (seconds) on 429/503 replaces the back-off, never shortened; above
    max_retry_after (default max_delay) the strategy gives up (math.inf)."""
    strategy = exact(max_delay=max_delay, retry_on_status=[status])
    response = Response(status, headers={"Retry-After": str(after)})
    expected = float(after) if after <= max_delay else math.inf
    assert strategy.decide(attempt, "GET", response=response) == expected
    wider = exact(max_delay=max_delay, max_retry_after=100_000, retry_on_status=[status])
    assert wider.decide(attempt, "GET", response=response) == float(after)


def test_retry_after_only_on_429_and_503() -> None:
    """A Retry-After on another listed status (502) is ignored: the back-off applies."""
    strategy = exact(retry_on_status=[502, 503])
    assert strategy.decide(1, "GET", response=Response(502, headers={"Retry-After": "9"})) == 1.0
    assert strategy.decide(1, "GET", response=Response(503, headers={"Retry-After": "9"})) == 9.0


def test_retry_after_http_date_and_garbage() -> None:
    """A past HTTP-date means no wait; an unparsable value falls back to the back-off."""
    strategy = exact(retry_on_status=[503])
    past = Response(503, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert strategy.decide(1, "GET", response=past) == 0.0
    garbage = Response(503, headers={"Retry-After": "later"})
    assert strategy.decide(2, "GET", response=garbage) == 2.0


def test_retry_after_can_be_ignored() -> None:
    """respect_retry_after=False uses the strategy's own delay."""
    strategy = exact(retry_on_status=[429], respect_retry_after=False)
    assert strategy.decide(1, "GET", response=Response(429, headers={"Retry-After": "9"})) == 1.0


def test_retry_after_is_not_jittered() -> None:
    """The server's Retry-After is used as is (no jitter), within max_delay."""
    strategy = ExponentialBackoff(retry_on_status=[503], rng=random.Random(1))
    response = Response(503, headers={"Retry-After": "7"})
    assert {strategy.decide(1, "GET", response=response) for _ in range(20)} == {7.0}
