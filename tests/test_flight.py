"""`SingleFlight`: one run per key, shared by threads and by tasks of several event loops."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest

import axios_python
from axios_python import CancelError, CancelToken, SingleFlight, WouldDeadlock

T = TypeVar("T")
WAIT = 5.0  # seconds: a bound on every wait here, never reached when the code is right


class Gate:
    """Work that counts its runs and holds until `open()`; tells when it has started."""

    def __init__(self, result: Any = "done", error: BaseException | None = None) -> None:
        self.started = threading.Event()
        self.gate = threading.Event()
        self.runs = 0
        self.result = result
        self.error = error

    def open(self) -> None:
        self.gate.set()

    def sync(self) -> Any:
        self.runs += 1
        self.started.set()
        assert self.gate.wait(WAIT)
        if self.error is not None:
            raise self.error
        return self.result

    async def coro(self) -> Any:
        self.runs += 1
        self.started.set()
        while not self.gate.is_set():
            await asyncio.sleep(0.001)
        if self.error is not None:
            raise self.error
        return self.result


class Counted(SingleFlight[T]):
    """A SingleFlight that counts the callers that joined a run (leader and followers)."""

    def __init__(self) -> None:
        super().__init__()
        self.joined = 0
        self.changed = threading.Condition()

    def _join(self, key: Any) -> Any:
        joined = super()._join(key)
        with self.changed:
            self.joined += 1
            self.changed.notify_all()
        return joined

    def reached(self, n: int) -> None:
        """Wait until `n` callers have joined (so followers are waiting, not yet to come)."""
        with self.changed:
            assert self.changed.wait_for(lambda: self.joined >= n, WAIT)


def _in_loop_thread(make: Callable[[], Awaitable[Any]], results: list[Any]) -> threading.Thread:
    """A thread running its own event loop, which awaits `make()` and records the outcome."""

    def main() -> None:
        try:
            results.append(asyncio.run(_awaited(make)))
        except BaseException as exc:
            results.append(exc)

    thread = threading.Thread(target=main)
    thread.start()
    return thread


async def _awaited(make: Callable[[], Awaitable[Any]]) -> Any:
    return await make()


def test_threads_share_one_run() -> None:
    """20 threads, one key: the work runs once, every thread gets its result."""
    flights: Counted[str] = Counted()
    work = Gate("shared")
    with ThreadPoolExecutor(max_workers=20) as pool:
        futures = [pool.submit(flights.run_sync, "k", work.sync) for _ in range(20)]
        flights.reached(20)
        work.open()
        results = [future.result(WAIT) for future in futures]
    assert results == ["shared"] * 20
    assert work.runs == 1
    assert len(flights) == 0


def test_tasks_of_several_loops_and_threads_share_one_run() -> None:
    """An async leader on one loop; followers: tasks of two other loops and a blocking thread."""
    flights: Counted[str] = Counted()
    work = Gate("shared")
    results: list[Any] = []
    leader = _in_loop_thread(lambda: flights.run("k", work.coro, blocking=False), results)
    assert work.started.wait(WAIT)

    async def two_tasks() -> list[str]:
        return list(
            await asyncio.gather(
                flights.run("k", work.coro, blocking=False),
                flights.run("k", work.coro, blocking=False),
            )
        )

    loops = [_in_loop_thread(two_tasks, results) for _ in range(2)]
    blocking = threading.Thread(target=lambda: results.append(flights.run_sync("k", work.sync)))
    blocking.start()
    flights.reached(6)  # the leader, 2 x 2 tasks, the thread
    work.open()
    for thread in (leader, *loops, blocking):
        thread.join(WAIT)
    flat = [
        item for result in results for item in (result if isinstance(result, list) else [result])
    ]
    assert flat == ["shared"] * 6  # the leader, 2 x 2 tasks, the thread
    assert work.runs == 1


def test_the_leaders_exception_is_shared() -> None:
    """Every caller raises the leader's exception; the next call leads a new run."""
    flights: Counted[str] = Counted()
    error = ConnectionError("down")
    work = Gate(error=error)
    with ThreadPoolExecutor(max_workers=5) as pool:
        futures = [pool.submit(flights.run_sync, "k", work.sync) for _ in range(5)]
        flights.reached(5)
        work.open()
        errors = [future.exception(WAIT) for future in futures]
    assert errors == [error] * 5
    assert work.runs == 1
    assert flights.run_sync("k", lambda: "again") == "again"


def test_keys_are_independent() -> None:
    """A run in flight for one key does not hold another key's callers."""
    flights: SingleFlight[str] = SingleFlight()
    work = Gate()
    thread = threading.Thread(target=flights.run_sync, args=("a", work.sync))
    thread.start()
    assert work.started.wait(WAIT)
    assert flights.run_sync("b", lambda: "b") == "b"
    work.open()
    thread.join(WAIT)


def test_a_blocking_wait_on_the_leaders_loop_thread_raises_would_deadlock() -> None:
    """A sync call on the loop thread where an async leader runs would block that loop forever."""
    flights: SingleFlight[str] = SingleFlight()
    work = Gate()

    async def main() -> None:
        leader = asyncio.ensure_future(flights.run("k", work.coro, blocking=False))
        while not work.started.is_set():
            await asyncio.sleep(0.001)
        with pytest.raises(WouldDeadlock):
            flights.run_sync("k", work.sync)
        work.open()
        assert await leader == "done"

    asyncio.run(main())
    assert work.runs == 1


def test_a_re_entrant_call_raises_would_deadlock() -> None:
    """The leader's own task (or thread) waiting for its own run: refused at once."""
    flights: SingleFlight[str] = SingleFlight()

    async def reenter() -> str:
        return await flights.run("k", reenter, blocking=False)

    with pytest.raises(WouldDeadlock):
        asyncio.run(flights.run("k", reenter, blocking=False))
    with pytest.raises(WouldDeadlock):
        flights.run_sync("k", lambda: flights.run_sync("k", lambda: "inner"))
    assert len(flights) == 0


def test_a_cancelled_leader_hands_the_run_to_a_follower() -> None:
    """Cancelling the leader's task fails no follower: one of them leads a new run."""
    flights: SingleFlight[str] = SingleFlight()
    first = Gate("never")
    second = Gate("second")
    second.open()

    async def main() -> str:
        leader = asyncio.ensure_future(flights.run("k", first.coro, blocking=False))
        while not first.started.is_set():
            await asyncio.sleep(0.001)
        follower = asyncio.ensure_future(flights.run("k", second.coro, blocking=False))
        await asyncio.sleep(0.01)
        leader.cancel()
        with pytest.raises(asyncio.CancelledError):
            await leader
        return await follower

    assert asyncio.run(main()) == "second"
    assert (first.runs, second.runs) == (1, 1)


def test_a_follower_stops_waiting_when_its_token_is_cancelled() -> None:
    """A waiting thread and a waiting task raise CancelError; the leader runs on."""
    flights: Counted[str] = Counted()
    work = Gate()
    leader = threading.Thread(target=flights.run_sync, args=("k", work.sync))
    leader.start()
    assert work.started.wait(WAIT)
    token = CancelToken()
    outcomes: list[Any] = []

    def follow() -> None:
        try:
            flights.run_sync("k", work.sync, cancel_token=token)
        except CancelError as exc:
            outcomes.append(exc)

    follower = threading.Thread(target=follow)
    follower.start()
    results: list[Any] = []
    task = _in_loop_thread(
        lambda: flights.run("k", work.coro, cancel_token=token, blocking=False), results
    )
    flights.reached(3)
    token.cancel("enough")
    follower.join(WAIT)
    task.join(WAIT)
    assert [str(exc) for exc in outcomes + results] == ["enough", "enough"]
    assert "k" in flights  # the leader still runs
    work.open()
    leader.join(WAIT)
    assert work.runs == 1


def test_waiting_follows_the_mode_of_the_call_in_progress() -> None:
    """In middleware, blocking=None blocks in sync calls and awaits in async_ calls."""
    flights: SingleFlight[str] = SingleFlight()
    modes: list[bool] = []

    async def middleware(ctx: dict[str, Any], next_fn: Any) -> Any:
        async def work() -> Any:
            modes.append(axios_python.is_async_call())
            return await next_fn(ctx)

        return await flights.run(ctx["url"], work)

    api = axios_python.AxiosPython(
        {"base_url": "http://flight.test"},
        transport=axios_python.MockTransport(lambda request: axios_python.Response(200)),
    )
    api.use(middleware)
    assert api.get("/x").status_code == 200
    assert asyncio.run(api.async_get("/x")).status_code == 200
    assert modes == [False, True]


# --- needs_event_loop ----------------------------------------------------------------------


def _error_of(coro: Any) -> BaseException:
    """What a coroutine raises when driven without an event loop, as a sync call drives it."""
    try:
        coro.send(None)
    except BaseException as exc:
        return exc
    coro.close()
    raise AssertionError("it suspended")


def test_needs_event_loop_recognises_asyncio_without_a_loop() -> None:
    """asyncio I/O awaited with no loop running: True; another RuntimeError: False."""

    async def sleeps() -> None:
        await asyncio.sleep(0.01)

    async def fails() -> None:
        raise RuntimeError("no running event loop")  # the same words, not asyncio's failure

    assert axios_python.needs_event_loop(_error_of(sleeps())) is True
    assert axios_python.needs_event_loop(_error_of(fails())) is False
    assert axios_python.needs_event_loop(ValueError("event loop")) is False


def test_needs_event_loop_is_false_while_a_loop_runs() -> None:
    """With a loop running in this thread, asyncio's error is about something else."""

    async def sleeps() -> None:
        await asyncio.sleep(0.01)

    error = _error_of(sleeps())

    async def main() -> bool:
        return axios_python.needs_event_loop(error)

    assert asyncio.run(main()) is False
