"""Retries, cancellation and timeouts against a fault-injecting server, sync and async.

Each test runs on the event loop (anyio, asyncio backend); in `sync` mode the request runs in a
plain thread of its own (no loop there, as in a sync program), so the loop stays free to cancel
it. The fault server (`tests/faults.py`) counts every request it reads: the tests assert exact
attempt counts, error types and codes, and time bounds. The `make_client` fixture closes its
clients, then checks that the server saw every connection closed and that no thread started
during the test outlived them (the fault server's own threads aside); `filterwarnings = error`
turns any ResourceWarning (unclosed socket) into a failure.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

import axios_python
from axios_python import (
    AxiosPython,
    CancelError,
    CancelToken,
    ExponentialBackoff,
    FixedBackoff,
    HTTPStatusError,
    NetworkError,
    Response,
    RetryError,
)
from axios_python._retry import parse_retry_after
from axios_python._validation import validate_request_options
from tests.faults import FaultServer, full_backlog, is_server_thread, refused_port

pytestmark = pytest.mark.anyio

MARGIN = 0.5  # scheduling slack on top of every time bound

validate_request_options({})  # build the pydantic schemas now, not inside a timed request


# --- fixtures and helpers ------------------------------------------------------------------


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    """A fresh fault server per test (fresh attempt counters)."""
    with FaultServer() as srv:
        yield srv


def _new_threads(baseline: set[threading.Thread]) -> list[threading.Thread]:
    """Live threads started since `baseline`, not counting the fault server's own."""
    return [t for t in threading.enumerate() if t not in baseline and not is_server_thread(t)]


@pytest.fixture
async def make_client(faults: FaultServer) -> AsyncIterator[Callable[..., AxiosPython]]:
    """Create clients on the fault server; close them all, then check no thread was leaked."""
    baseline = set(threading.enumerate())
    created: list[AxiosPython] = []

    def make(**config: Any) -> AxiosPython:
        # Plain http only: verify=False skips loading the CA bundle (~35 ms per connection pool).
        options = {"base_url": faults.url, "timeout": 2, "verify": False}
        client = axios_python.create({**options, **config})
        created.append(client)
        return client

    yield make
    for client in created:
        await client.aclose()
    await wait_closed(faults)  # closing the clients closed every connection they held
    deadline = time.monotonic() + 2
    while _new_threads(baseline) and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert _new_threads(baseline) == [], "threads left behind"


@dataclass
class Outcome:
    """What one request gave: a response or an error, and when it ended."""

    response: Response | None
    error: Exception | None
    started: float
    ended: float

    @property
    def elapsed(self) -> float:
        return self.ended - self.started

    def fails(self, cls: type[Exception], code: str) -> Any:
        """Assert the request failed with exactly `cls` and `code`; return the error."""
        assert self.response is None, f"expected {cls.__name__}, got {self.response!r}"
        assert type(self.error) is cls, f"expected {cls.__name__}, got {self.error!r}"
        assert self.error.code == code  # type: ignore[attr-defined]
        return self.error


def _sync_outcome(client: AxiosPython, method: str, url: str, options: dict[str, Any]) -> Outcome:
    started = time.monotonic()
    try:
        response = client.request(method, url, **options)
    except Exception as exc:
        return Outcome(None, exc, started, time.monotonic())
    return Outcome(response, None, started, time.monotonic())


async def _in_thread(fn: Callable[[], Outcome]) -> Outcome:
    """Run a blocking call in a plain thread of its own (no event loop there) and await it."""
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    box: list[Outcome] = []

    def target() -> None:
        try:
            box.append(fn())
        finally:
            loop.call_soon_threadsafe(done.set)

    thread = threading.Thread(target=target, name="sync-call")
    thread.start()
    await done.wait()
    thread.join()
    return box[0]


async def call(mode: str, client: AxiosPython, method: str, url: str, **options: Any) -> Outcome:
    """One request in `mode`: `client.request` in a thread, or `await client.async_request`."""
    if mode == "sync":
        return await _in_thread(lambda: _sync_outcome(client, method, url, options))
    started = time.monotonic()
    try:
        response = await client.async_request(method, url, **options)
    except Exception as exc:
        return Outcome(None, exc, started, time.monotonic())
    return Outcome(response, None, started, time.monotonic())


async def wait_for_attempts(faults: FaultServer, path: str, count: int) -> None:
    """Until the server has read `count` requests on `path` (2 s at most)."""
    deadline = time.monotonic() + 2
    while faults.attempts[path] < count:
        assert time.monotonic() < deadline, f"{path}: {faults.attempts[path]} < {count}"
        await asyncio.sleep(0.002)


async def wait_closed(faults: FaultServer, timeout: float = 1.0) -> None:
    """Until the server sees every connection closed by the client."""
    deadline = time.monotonic() + timeout
    while faults.open_connections:
        assert time.monotonic() < deadline, f"{faults.open_connections} connection(s) left open"
        await asyncio.sleep(0.005)


def cancel_from_thread(token: CancelToken, reason: str | None = None) -> float:
    """Cancel `token` from another thread; return the monotonic time of the cancel() call."""
    called: list[float] = []

    def cancel() -> None:
        called.append(time.monotonic())
        token.cancel(reason)

    thread = threading.Thread(target=cancel)
    thread.start()
    thread.join()
    return called[0]


def fast(**kwargs: Any) -> FixedBackoff:
    """A 10 ms fixed back-off: retries without slowing the suite."""
    return FixedBackoff(0.01, **kwargs)


# --- each fault, sync and async --------------------------------------------------------------


@pytest.mark.parametrize("retries", [0, 2])
async def test_connection_refused(mode: str, retries: int) -> None:
    """Refused: NetworkError ECONNREFUSED, or RetryError after exactly retries + 1 attempts."""
    calls: list[tuple[int, Any, float]] = []
    async with axios_python.create({"timeout": 2, "verify": False}) as client:
        out = await call(
            mode,
            client,
            "GET",
            f"http://127.0.0.1:{refused_port()}/ok",
            max_retries=retries,
            retry_strategy=fast(),
            on_retry=lambda *args: calls.append(args),
        )
    assert out.elapsed < 1
    if retries == 0:
        out.fails(NetworkError, "ECONNREFUSED")
        assert calls == []
        return
    err = out.fails(RetryError, "ERR_RETRY_EXHAUSTED")
    assert err.attempts == 3
    assert err.response is None
    assert type(err.__cause__) is NetworkError
    assert err.__cause__.code == "ECONNREFUSED"
    assert [(n, type(e), d) for n, e, d in calls] == [
        (1, NetworkError, 0.01),
        (2, NetworkError, 0.01),
    ]


@pytest.mark.parametrize("path", ["/reset", "/reset-mid-body", "/truncated-chunked"])
@pytest.mark.parametrize("retries", [0, 2])
async def test_broken_exchange_is_econnreset(
    mode: str, path: str, retries: int, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """Reset before the status line, mid-body, or a truncated chunked body: ECONNRESET, retried."""
    client = make_client(max_retries=retries, retry_strategy=fast())
    out = await call(mode, client, "GET", path)
    assert faults.attempts[path] == retries + 1
    assert out.elapsed < 1
    if retries == 0:
        err = out.fails(NetworkError, "ECONNRESET")
    else:
        retry_error = out.fails(RetryError, "ERR_RETRY_EXHAUSTED")
        assert retry_error.attempts == 3
        assert retry_error.response is None
        err = retry_error.__cause__
        assert type(err) is NetworkError
        assert err.code == "ECONNRESET"
    assert err.request.url.path == path
    assert err.config["url"] == path


@pytest.mark.parametrize("retries", [0, 2])
async def test_stall_past_read_timeout(
    mode: str, retries: int, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """A server that never answers: TimeoutError ETIMEDOUT (phase read) after each timeout."""
    client = make_client(timeout=0.15, max_retries=retries, retry_strategy=fast())
    out = await call(mode, client, "GET", "/stall")
    attempts = retries + 1
    assert faults.attempts["/stall"] == attempts
    assert 0.15 * attempts - 0.02 <= out.elapsed < 0.15 * attempts + MARGIN
    if retries == 0:
        err = out.fails(axios_python.TimeoutError, "ETIMEDOUT")
    else:
        retry_error = out.fails(RetryError, "ERR_RETRY_EXHAUSTED")
        assert retry_error.attempts == attempts
        err = retry_error.__cause__
        assert type(err) is axios_python.TimeoutError
    assert err.phase == "read"
    assert isinstance(err, TimeoutError)  # the builtin catches it too


async def test_slow_drip_within_read_timeout_succeeds(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """The read timeout bounds each read, not the whole body: a steady drip completes."""
    client = make_client(timeout=0.1)
    out = await call(mode, client, "GET", "/drip", params={"interval": 0.02, "size": 10})
    assert out.error is None
    assert out.response is not None
    assert out.response.content == b"x" * 10
    assert faults.attempts["/drip"] == 1
    assert 0.18 <= out.elapsed < 0.2 + MARGIN  # longer than the 0.1 s timeout, yet no error


async def test_slow_drip_past_read_timeout_times_out(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """A drip slower than the read timeout: ETIMEDOUT (read) per attempt, then RetryError."""
    client = make_client(timeout=0.1, max_retries=1, retry_strategy=fast())
    out = await call(mode, client, "GET", "/drip", params={"interval": 0.5, "size": 4})
    err = out.fails(RetryError, "ERR_RETRY_EXHAUSTED")
    assert err.attempts == 2
    assert type(err.__cause__) is axios_python.TimeoutError
    assert err.__cause__.phase == "read"
    assert faults.attempts["/drip"] == 2
    assert out.elapsed < 0.2 + MARGIN


async def test_status_then_success(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """503, 503, then 200: retried by retry_on_status; on_retry gets each 503 and its delay."""
    calls: list[tuple[int, Any, float]] = []
    strategy = ExponentialBackoff(base=0.01, multiplier=2, jitter=False, retry_on_status=[503])
    client = make_client(
        max_retries=3, retry_strategy=strategy, on_retry=lambda *args: calls.append(args)
    )
    out = await call(mode, client, "GET", "/flaky/2")
    assert out.error is None
    assert out.response is not None
    assert out.response.status_code == 200
    assert out.response.json() == {"ok": True, "attempt": 3}
    assert faults.attempts["/flaky/2"] == 3
    assert [(n, type(r), r.status_code, d) for n, r, d in calls] == [
        (1, Response, 503, 0.01),
        (2, Response, 503, 0.02),
    ]


async def test_status_exhaustion_keeps_last_response(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """503 every time: RetryError with .response (the last 503) and an HTTPStatusError cause."""
    client = make_client(max_retries=2, retry_strategy=fast(retry_on_status=[503]))
    out = await call(mode, client, "GET", "/flaky/9")
    err = out.fails(RetryError, "ERR_RETRY_EXHAUSTED")
    assert err.attempts == 3
    assert faults.attempts["/flaky/9"] == 3
    assert err.response.status_code == 503
    assert err.response.json() == {"ok": False, "attempt": 3}
    assert type(err.__cause__) is HTTPStatusError
    assert err.__cause__.code == "ERR_BAD_RESPONSE"
    assert err.__cause__.response is err.response


async def test_status_exhaustion_with_stream_releases_the_connection(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """stream=True: the RetryError's last response is read, so its connection is free again."""
    client = make_client(
        timeout={"pool": 0.3, "read": 2},
        limits=httpx.Limits(max_connections=1),
        max_retries=1,
        retry_strategy=fast(retry_on_status=[503]),
    )
    out = await call(mode, client, "GET", "/flaky/9", stream=True)
    err = out.fails(RetryError, "ERR_RETRY_EXHAUSTED")
    assert err.attempts == 2
    assert err.response.json() == {"ok": False, "attempt": 2}  # read, like an HTTPStatusError's
    out = await call(mode, client, "GET", "/ok")  # one pooled connection: it must be free
    assert out.error is None
    assert out.response is not None
    assert out.response.status_code == 200


async def test_status_not_listed_is_returned_once(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """A 503 not in retry_on_status is the answer: one attempt, no error (no validate_status)."""
    client = make_client(max_retries=3, retry_strategy=fast())
    out = await call(mode, client, "GET", "/flaky/1")
    assert out.response is not None
    assert out.response.status_code == 503
    assert faults.attempts["/flaky/1"] == 1


async def test_rejected_status_in_retry_on_status_is_retried(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """With validate_status rejecting 503, the HTTPStatusError is retried like the response."""
    client = make_client(
        max_retries=2,
        retry_strategy=fast(retry_on_status=[503]),
        validate_status=lambda status: status < 400,
    )
    out = await call(mode, client, "GET", "/flaky/1")
    assert out.response is not None
    assert out.response.status_code == 200
    assert faults.attempts["/flaky/1"] == 2


# --- which requests are retried ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "PATCH"])
async def test_non_idempotent_request_is_not_retried_by_default(
    mode: str, method: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """A failing POST/PATCH is sent once: the NetworkError itself, not a RetryError."""
    client = make_client(max_retries=3, retry_strategy=fast())
    out = await call(mode, client, method, "/post-reset", json={"pay": 10})
    out.fails(NetworkError, "ECONNRESET")
    assert faults.attempts["/post-reset"] == 1


async def test_post_is_retried_when_opted_in(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """retry_methods=["POST"] opts POST in: 4 attempts, each with the same body."""
    client = make_client(max_retries=3, retry_strategy=fast(retry_methods=["POST"]))
    out = await call(mode, client, "POST", "/post-reset", json={"pay": 10})
    err = out.fails(RetryError, "ERR_RETRY_EXHAUSTED")
    assert err.attempts == 4
    assert faults.attempts["/post-reset"] == 4
    assert [r.body for r in faults.requests] == [b'{"pay":10}'] * 4


# --- Retry-After -----------------------------------------------------------------------------


async def test_retry_after_is_honoured(
    faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """429 with Retry-After: 1 waits the full second (the one slow test), then succeeds: a
    max_delay below it does not shorten it when max_retry_after allows it."""
    delays: list[float] = []
    client = make_client(
        max_retries=2,
        retry_strategy=ExponentialBackoff(
            base=0.01, max_delay=0.2, max_retry_after=5, retry_on_status=[429]
        ),
        on_retry=lambda attempt, response, delay: delays.append(delay),
    )
    out = await call("sync", client, "GET", "/retry-after")
    assert out.response is not None
    assert out.response.status_code == 200
    assert delays == [1.0]
    assert 1.0 <= out.elapsed < 1.0 + MARGIN
    assert faults.attempts["/retry-after"] == 2


async def test_retry_after_longer_than_max_retry_after_gives_up(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """Retry-After: 1 above max_retry_after (default: max_delay=0.2) is never cut short: the call
    gives up at once with a RetryError carrying the 429 (its cause the HTTPStatusError)."""
    delays: list[float] = []
    client = make_client(
        max_retries=2,
        retry_strategy=ExponentialBackoff(base=0.01, max_delay=0.2, retry_on_status=[429]),
        on_retry=lambda attempt, response, delay: delays.append(delay),
    )
    out = await call(mode, client, "GET", "/retry-after")
    assert isinstance(out.error, RetryError)
    assert out.error.response is not None
    assert out.error.response.status_code == 429
    assert isinstance(out.error.__cause__, HTTPStatusError)
    assert "max_retry_after (0.2 s)" in str(out.error)
    assert delays == []
    assert out.elapsed < MARGIN
    assert faults.attempts["/retry-after"] == 1


async def test_retry_after_http_date_through_the_wire(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """An HTTP-date Retry-After in the past means retry at once (delay 0)."""
    delays: list[float] = []
    client = make_client(
        max_retries=1,
        retry_strategy=ExponentialBackoff(base=5, retry_on_status=[429]),
        on_retry=lambda attempt, response, delay: delays.append(delay),
    )
    out = await call(
        mode, client, "GET", "/retry-after", params={"after": "Wed, 21 Oct 2015 07:28:00 GMT"}
    )
    assert out.response is not None
    assert out.response.status_code == 200
    assert delays == [0.0]
    assert out.elapsed < MARGIN


def test_parse_retry_after() -> None:
    """Delta-seconds and HTTP-dates parse; garbage gives None (the strategy's own delay)."""
    cases = {
        "120": 120.0,
        " 3 ": 3.0,
        "0": 0.0,
        "Wed, 21 Oct 2015 07:28:00 GMT": 0.0,  # in the past: no wait
        "": None,
        "soon": None,
        "-1": None,
        "1.5": None,  # delta-seconds is an integer (RFC 9110)
    }
    assert {value: parse_retry_after(value) for value in cases} == cases
    assert parse_retry_after(None) is None


def test_parse_retry_after_http_date_in_the_future() -> None:
    """An HTTP-date is the time left until then, relative to `now`."""
    now = datetime(2030, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    header = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert header == "Tue, 01 Jan 2030 12:01:30 GMT"
    assert parse_retry_after(header, now=now.timestamp()) == 90.0
    assert parse_retry_after(header, now=now.timestamp() + 100) == 0.0


# --- the retry loop: on_retry, deadline, hooks, middleware -------------------------------------


async def test_on_retry_receives_attempt_error_and_delay(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """on_retry(attempt, error, delay) before each retry, never after the last attempt."""
    calls: list[tuple[int, Any, float]] = []
    client = make_client(
        max_retries=2,
        retry_strategy=FixedBackoff(0.02),
        on_retry=lambda *args: calls.append(args),
    )
    out = await call(mode, client, "GET", "/reset")
    err = out.fails(RetryError, "ERR_RETRY_EXHAUSTED")
    assert [(n, type(e), e.code, d) for n, e, d in calls] == [
        (1, NetworkError, "ECONNRESET", 0.02),
        (2, NetworkError, "ECONNRESET", 0.02),
    ]
    assert err.__cause__ is not calls[-1][1]  # the last error is the third one
    assert type(err.__cause__) is NetworkError


async def test_retry_deadline_stops_retrying(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """retry_deadline=0.35 with 0.1 s back-off: RetryError before 10 retries, within the deadline."""
    client = make_client(max_retries=10, retry_strategy=FixedBackoff(0.1), retry_deadline=0.35)
    out = await call(mode, client, "GET", "/reset")
    err = out.fails(RetryError, "ERR_RETRY_EXHAUSTED")
    assert "deadline" in str(err)
    # the last attempt may be cut by the deadline before the server thread reads it
    faults.wait_for("/reset", err.attempts)
    assert err.attempts == faults.attempts["/reset"]
    assert 2 <= err.attempts <= 4
    assert out.elapsed < 0.35 + MARGIN
    assert type(err.__cause__) is NetworkError


async def test_retry_deadline_caps_the_attempt_in_flight(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """A stalled attempt is cut at the deadline (0.3 s), not at the 5 s timeout."""
    client = make_client(timeout=5, max_retries=5, retry_strategy=fast(), retry_deadline=0.3)
    out = await call(mode, client, "GET", "/stall")
    err = out.fails(RetryError, "ERR_RETRY_EXHAUSTED")
    assert err.attempts == 1
    assert faults.attempts["/stall"] == 1
    assert type(err.__cause__) is axios_python.TimeoutError
    assert err.__cause__.phase == "read"
    assert 0.28 <= out.elapsed < 0.3 + MARGIN


async def test_each_attempt_reruns_request_hooks(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """on_request plugins run per attempt (X-Attempt 1, 2, 3); request interceptors run once."""
    counter = itertools.count(1)
    intercepted: list[str] = []

    class AttemptHeader(axios_python.Plugin):
        def on_request(self, config: dict[str, Any]) -> None:
            config["headers"]["X-Attempt"] = str(next(counter))

    client = make_client(max_retries=3, retry_strategy=fast(retry_on_status=[503]))
    client.plugin(AttemptHeader())
    client.interceptors.request.use(lambda config: intercepted.append("x") or config)
    out = await call(mode, client, "GET", "/flaky/2")
    assert out.response is not None
    assert out.response.status_code == 200
    assert faults.headers_seen("/flaky/2", "X-Attempt") == ["1", "2", "3"]
    assert intercepted == ["x"]


async def test_timing_middleware_sees_the_whole_retried_call(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """A middleware is entered once for 3 attempts, and its timing includes the back-offs."""
    entered: list[str] = []
    took: list[float] = []

    async def timing(ctx: dict[str, Any], next_fn: Any) -> Response:
        entered.append(ctx["url"])
        start = time.monotonic()
        response: Response = await next_fn(ctx)
        took.append(time.monotonic() - start)
        return response

    client = make_client(max_retries=3, retry_strategy=FixedBackoff(0.05, retry_on_status=[503]))
    client.use(timing)
    out = await call(mode, client, "GET", "/flaky/2")
    assert out.response is not None
    assert out.response.status_code == 200
    assert entered == ["/flaky/2"]
    assert faults.attempts["/flaky/2"] == 3
    assert len(took) == 1
    assert took[0] >= 0.1  # two back-offs of 0.05 s


# --- cancellation ------------------------------------------------------------------------------


async def test_cancel_blocked_request_from_another_thread(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """A request blocked on /stall raises CancelError within 200 ms of token.cancel()."""
    token = CancelToken()
    client = make_client(timeout=5)
    task = asyncio.ensure_future(call(mode, client, "GET", "/stall", cancel_token=token))
    await wait_for_attempts(faults, "/stall", 1)
    cancelled_at = cancel_from_thread(token, "user left")
    out = await task
    err = out.fails(CancelError, "ERR_CANCELED")
    assert str(err) == "user left"
    assert out.ended - cancelled_at < 0.2
    assert faults.attempts["/stall"] == 1
    await wait_closed(faults, 0.2)  # the aborted connection is discarded, not pooled


async def test_cancel_error_is_never_retried(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """A cancelled attempt is not retried, whatever max_retries says."""
    token = CancelToken()
    client = make_client(timeout=5, max_retries=3, retry_strategy=fast())
    task = asyncio.ensure_future(call(mode, client, "GET", "/stall", cancel_token=token))
    await wait_for_attempts(faults, "/stall", 1)
    token.cancel()
    out = await task
    out.fails(CancelError, "ERR_CANCELED")
    await asyncio.sleep(0.05)
    assert faults.attempts["/stall"] == 1


async def test_cancel_interrupts_backoff_sleep(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """FixedBackoff(5) and a cancel after 0.2 s: CancelError well within 1 s, no second attempt."""
    token = CancelToken()
    delays: list[float] = []
    client = make_client(
        max_retries=3,
        retry_strategy=FixedBackoff(5),
        on_retry=lambda attempt, error, delay: delays.append(delay),
    )
    timer = threading.Timer(0.2, token.cancel, kwargs={"reason": "stop waiting"})
    timer_started = time.monotonic()
    timer.start()
    try:
        out = await call(mode, client, "GET", "/reset", cancel_token=token)
    finally:
        timer.cancel()
        timer.join()
    err = out.fails(CancelError, "ERR_CANCELED")
    assert str(err) == "stop waiting"
    assert delays == [5.0]
    assert 0.2 <= out.ended - timer_started < 1
    assert faults.attempts["/reset"] == 1


@pytest.mark.parametrize("with_token", [False, True])
@pytest.mark.parametrize("during", ["request", "backoff"])
async def test_cancelling_the_asyncio_task(
    with_token: bool,
    during: str,
    faults: FaultServer,
    make_client: Callable[..., AxiosPython],
) -> None:
    """task.cancel() propagates asyncio.CancelledError promptly, in flight or in a back-off."""
    client = make_client(timeout=5, max_retries=2, retry_strategy=FixedBackoff(5))
    path = "/stall" if during == "request" else "/reset"
    options: dict[str, Any] = {"cancel_token": CancelToken()} if with_token else {}
    task = asyncio.ensure_future(client.async_get(path, **options))
    await wait_for_attempts(faults, path, 1)
    await asyncio.sleep(0.02)  # into the read, or into the back-off sleep
    cancelled_at = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - cancelled_at < 0.2
    assert faults.attempts[path] == 1
    await wait_closed(faults, 0.2)  # the aborted connection is discarded, not pooled
    response = await client.async_get("/ok")  # the client is still healthy
    assert response.status_code == 200


async def test_token_with_timeout_cancels_itself(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """CancelToken(timeout=0.3) aborts a stalled request after 0.3 s."""
    token = CancelToken(timeout=0.3)
    client = make_client(timeout=5)
    out = await call(mode, client, "GET", "/stall", cancel_token=token)
    err = out.fails(CancelError, "ERR_CANCELED")
    assert token.is_cancelled
    assert token.reason == "timed out after 0.3s"
    assert str(err) == token.reason
    assert 0.28 <= out.elapsed < 0.3 + 0.2


async def test_cancel_while_connecting(mode: str) -> None:
    """A cancel during a connect nobody answers ends the request at once, not at the end of
    the connect timeout (sync calls connect in a helper thread when they carry a token)."""
    token = CancelToken(timeout=0.2)
    async with axios_python.create({"timeout": {"connect": 5, "read": 5}}) as client:
        with full_backlog() as port:
            out = await call(mode, client, "GET", f"http://127.0.0.1:{port}/", cancel_token=token)
            err = out.fails(CancelError, "ERR_CANCELED")
            assert str(err) == "timed out after 0.2s"
            assert out.elapsed < 0.2 + MARGIN  # not the 5 s connect timeout
            # the client is still usable: the abandoned connect does not hold the pool
            token = CancelToken(timeout=0.1)
            out = await call(mode, client, "GET", f"http://127.0.0.1:{port}/", cancel_token=token)
            out.fails(CancelError, "ERR_CANCELED")
            assert out.elapsed < 0.1 + MARGIN


async def test_one_token_cancels_sync_and_async_requests(
    faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """One token shared by two sync and two async requests cancels all four at once."""
    token = CancelToken()
    client = make_client(timeout=5)
    calls = [
        asyncio.ensure_future(call(mode, client, "GET", "/stall", cancel_token=token))
        for mode in ("sync", "sync", "async", "async")
    ]
    await wait_for_attempts(faults, "/stall", 4)
    cancelled_at = cancel_from_thread(token, "all of them")
    outcomes = await asyncio.gather(*calls)
    for out in outcomes:
        assert str(out.fails(CancelError, "ERR_CANCELED")) == "all of them"
        assert out.ended - cancelled_at < 0.2
    assert faults.attempts["/stall"] == 4
    await wait_closed(faults, 0.2)


async def test_already_cancelled_token_never_touches_the_network(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """A token cancelled beforehand fails at once: no connection, no attempt."""
    token = CancelToken()
    token.cancel("too late")
    with pytest.raises(CancelError, match="too late"):
        token.throw_if_cancelled()
    client = make_client(max_retries=3, retry_strategy=fast())
    out = await call(mode, client, "GET", "/ok", cancel_token=token)
    assert str(out.fails(CancelError, "ERR_CANCELED")) == "too late"
    assert out.elapsed < 0.1
    assert faults.accepted == 0
    assert faults.total_attempts == 0


@pytest.mark.parametrize("failure", ["cancel", "timeout"])
async def test_client_stays_healthy_after_a_failure(
    mode: str, failure: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """After a cancel or a timeout, the next requests on the same client succeed."""
    client = make_client(timeout=5)
    if failure == "cancel":
        token = CancelToken()
        task = asyncio.ensure_future(call(mode, client, "GET", "/stall", cancel_token=token))
        await wait_for_attempts(faults, "/stall", 1)
        token.cancel()
        (await task).fails(CancelError, "ERR_CANCELED")
    else:
        out = await call(mode, client, "GET", "/stall", timeout=0.1)
        out.fails(axios_python.TimeoutError, "ETIMEDOUT")
    await wait_closed(faults, 0.2)  # the failed connection is discarded, not pooled
    for attempt in (1, 2):
        out = await call(mode, client, "GET", "/ok")
        assert out.response is not None
        assert out.response.json() == {"ok": True, "attempt": attempt}
    assert faults.accepted == 2  # a fresh connection, then kept alive for the second /ok
    assert faults.open_connections == 1


# --- timeout phases --------------------------------------------------------------------------


async def test_connect_timeout_phase(mode: str) -> None:
    """A SYN nobody answers: TimeoutError with phase connect, after the connect timeout."""
    options = {"timeout": {"connect": 0.15, "read": 5}, "verify": False}
    async with axios_python.create(options) as client:
        with full_backlog() as port:
            out = await call(mode, client, "GET", f"http://127.0.0.1:{port}/")
    err = out.fails(axios_python.TimeoutError, "ETIMEDOUT")
    assert err.phase == "connect"
    assert 0.14 <= out.elapsed < 0.15 + MARGIN


async def test_write_timeout_phase(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """An upload the server never reads: TimeoutError with phase write."""
    client = make_client(timeout={"write": 0.15, "read": 5})
    out = await call(mode, client, "POST", "/stall-upload", content=b"x" * (16 << 20))
    err = out.fails(axios_python.TimeoutError, "ETIMEDOUT")
    assert err.phase == "write"
    assert out.elapsed < 0.15 + MARGIN + 0.5  # 16 MB through the loopback first
    assert faults.attempts["/stall-upload"] == 1


async def test_pool_timeout_phase(
    mode: str, faults: FaultServer, make_client: Callable[..., AxiosPython]
) -> None:
    """With one pooled connection busy, the next request waits `pool` s: phase pool."""
    token = CancelToken()
    client = make_client(timeout={"pool": 0.15, "read": 5}, limits=httpx.Limits(max_connections=1))
    busy = asyncio.ensure_future(call(mode, client, "GET", "/stall", cancel_token=token))
    await wait_for_attempts(faults, "/stall", 1)
    out = await call(mode, client, "GET", "/ok")
    err = out.fails(axios_python.TimeoutError, "ETIMEDOUT")
    assert err.phase == "pool"
    assert 0.14 <= out.elapsed < 0.15 + MARGIN
    token.cancel()
    (await busy).fails(CancelError, "ERR_CANCELED")
    assert faults.attempts["/ok"] == 0
    out = await call(mode, client, "GET", "/ok")  # the pool is free again
    assert out.response is not None
    assert out.response.status_code == 200


# --- the fault server itself -----------------------------------------------------------------


def test_fault_server_closes_fast_with_a_stalled_client() -> None:
    """close() wakes a stalled handler and joins every thread in milliseconds."""
    with FaultServer() as srv, socket.create_connection(("127.0.0.1", srv.port)) as sock:
        sock.sendall(b"GET /stall HTTP/1.1\r\nHost: x\r\n\r\n")
        srv.wait_for("/stall", 1)
        assert srv.open_connections == 1
        started = time.monotonic()
        srv.close()
        assert time.monotonic() - started < 0.2
        assert sock.recv(1) == b""  # the server side is closed
    assert not [t for t in threading.enumerate() if is_server_thread(t)]
