"""`CancelToken` timeouts on the shared scheduler thread, and the `Deadline` token a sync call
with a total timeout sends with (no network here: the tokens alone)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from axios_python import CancelError, CancelToken
from axios_python._cancel import _SCHEDULER, Deadline


def scheduler_threads() -> int:
    return sum(1 for each in threading.enumerate() if each.name == "axios_python-timeouts")


def test_timeouts_fire_in_deadline_order_on_one_thread() -> None:
    """Tokens with timeouts cancel themselves in deadline order, all on one thread."""
    fired: list[str] = []
    done = threading.Event()
    tokens = {name: CancelToken(timeout=seconds) for name, seconds in (("c", 0.3), ("a", 0.1))}
    tokens["b"] = CancelToken.after(0.2)
    for name, token in tokens.items():
        token.subscribe(lambda name=name: fired.append(name))
    tokens["c"].subscribe(done.set)
    assert done.wait(5)
    assert fired == ["a", "b", "c"]
    assert tokens["a"].reason == "timed out after 0.1s"
    assert scheduler_threads() == 1


def test_a_cancelled_timeout_never_fires_and_is_dropped() -> None:
    """cancel() before the timeout: the reason stays the caller's, and the scheduler does not
    keep thousands of dead entries."""
    tokens = [CancelToken(timeout=60) for _ in range(2000)]
    for token in tokens:
        token.cancel("by hand")
    assert len(_SCHEDULER._heap) < 1000
    quick = CancelToken(timeout=0.05)
    assert quick.wait(5)
    assert tokens[0].reason == "by hand"


def test_a_failing_callback_is_reported_and_the_scheduler_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A subscriber that raises goes to threading.excepthook; later timeouts still fire."""
    seen: list[Any] = []
    reported = threading.Event()

    def hook(args: Any) -> None:
        seen.append(args.exc_value)
        reported.set()

    monkeypatch.setattr(threading, "excepthook", hook)
    broken = CancelToken(timeout=0.05)
    broken.subscribe(lambda: 1 / 0)
    assert reported.wait(5)
    assert isinstance(seen[0], ZeroDivisionError)
    assert CancelToken(timeout=0.05).wait(5)


def test_a_timeout_must_be_a_number_of_seconds() -> None:
    """A negative or NaN timeout is refused."""
    for bad in (-1.0, float("nan")):
        with pytest.raises(ValueError, match=">= 0"):
            CancelToken(timeout=bad)


def test_a_deadline_expires_by_itself() -> None:
    """A Deadline cancels itself at its time: `expired`, and its own reason."""
    deadline = Deadline(None, time.monotonic() + 0.05)
    assert deadline.wait(5)
    assert deadline.expired
    with pytest.raises(CancelError, match="total timeout"):
        deadline.throw_if_cancelled()


def test_a_deadline_follows_the_callers_token() -> None:
    """Cancelled with the caller's token, with its reason; not `expired`; a callback
    subscribed to it runs once even when both fire; disarmed, it no longer expires."""
    parent = CancelToken()
    deadline = Deadline(parent, time.monotonic() + 0.2)
    calls: list[int] = []
    deadline.subscribe(lambda: calls.append(1))
    waiter = threading.Timer(0.05, parent.cancel, kwargs={"reason": "user left"})
    waiter.start()
    assert deadline.wait(5)
    assert deadline.is_cancelled
    assert not deadline.expired
    assert deadline.reason == "user left"
    time.sleep(0.3)  # past the deadline: its own cancel does not call the callback again
    assert deadline.expired
    assert calls == [1]
    disarmed = Deadline(CancelToken(), time.monotonic() + 0.05)
    disarmed.disarm()
    assert not disarmed.wait(0.2)
    assert not disarmed.is_cancelled
