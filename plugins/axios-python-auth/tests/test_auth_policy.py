"""The pure cores, without a client: host policy, token checks, the refresh coordinator."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest
from axios_python_auth._credentials import (
    Credentials,
    basic_token,
    check_scheme,
    header_value,
    token_problem,
)
from axios_python_auth._origins import HostPolicy, origin_of
from axios_python_auth._refresh import RefreshCoordinator

T = TypeVar("T")


def _config(url: str, base_url: str | None = "https://api.example.com/v1") -> dict[str, object]:
    return {"url": url, "base_url": base_url}


# --- HostPolicy ----------------------------------------------------------------------------


def test_origin_fills_in_the_default_port() -> None:
    """`https://h` and `https://h:443` are one origin; other schemes have none."""
    assert origin_of(httpx.URL("https://API.example.com/x")) == ("https", "api.example.com", 443)
    assert origin_of(httpx.URL("http://h:8080")) == ("http", "h", 8080)
    assert origin_of(httpx.URL("ftp://h/")) is None


def test_base_url_origin_allows_paths_and_same_origin_urls_only() -> None:
    """The base_url origin gets paths and absolute URLs on it, nothing else."""
    policy = HostPolicy()
    policy.add_base_url("https://api.example.com/v1")
    assert policy.allows(_config("/users"))
    assert policy.allows(_config("users"))
    assert policy.allows(_config("https://api.example.com/other"))
    assert policy.allows(_config("https://api.example.com:443/other"))
    assert not policy.allows(_config("http://api.example.com/other"))  # downgrade
    assert not policy.allows(_config("https://api.example.com:8443/other"))
    assert not policy.allows(_config("https://evil.example.com/"))
    assert not policy.allows(_config("https://api.example.com.evil.com/"))
    assert not policy.allows(_config("https://api.example.com@evil.com/"))


def test_per_request_base_url_to_another_origin_is_not_trusted() -> None:
    """A per-request base_url pointing elsewhere gets nothing, even for a path."""
    policy = HostPolicy()
    policy.add_base_url("https://api.example.com")
    assert not policy.allows(_config("/users", base_url="https://other.example.com"))
    assert not policy.allows(_config("/users", base_url=None))
    assert policy.allows(_config("/users", base_url="https://api.example.com/v2"))


def test_network_path_reference_is_judged_by_its_host() -> None:
    """`//evil.com/x` is not trusted because of the base_url it is joined onto."""
    policy = HostPolicy()
    policy.add_base_url("https://api.example.com")
    assert not policy.allows(_config("//evil.com/x"))
    assert policy.allows(_config("//api.example.com/x"))


def test_allowed_host_forms() -> None:
    """Origins are exact; bare hosts match any scheme/port; host:port and wildcards."""
    policy = HostPolicy(
        ["https://a.example.com", "b.example.com", "c.example.com:8080", "*.d.example.com"]
    )
    allows = policy.allows_url
    assert allows(httpx.URL("https://a.example.com/x"))
    assert not allows(httpx.URL("http://a.example.com/x"))
    assert allows(httpx.URL("http://b.example.com:1234/"))
    assert allows(httpx.URL("https://b.example.com/"))
    assert allows(httpx.URL("http://c.example.com:8080/"))
    assert not allows(httpx.URL("http://c.example.com:8081/"))
    assert allows(httpx.URL("https://x.d.example.com/"))
    assert allows(httpx.URL("https://x.y.d.example.com/"))
    assert not allows(httpx.URL("https://d.example.com/"))
    assert not allows(httpx.URL("https://xd.example.com/"))


def test_host_with_default_port_keeps_its_port() -> None:
    """`h:80` means port 80 only, not any port."""
    policy = HostPolicy(["h.example.com:80"])
    assert policy.allows_url(httpx.URL("http://h.example.com/"))
    assert not policy.allows_url(httpx.URL("https://h.example.com/"))


@pytest.mark.parametrize(
    "entry", ["", "https://h/path", "h?x=1", "*.", "ftp://h", "*.h/x", "user@h", 42]
)
def test_bad_allowed_host_entries_raise(entry: object) -> None:
    """Entries with paths, queries, bad schemes or wrong types are refused."""
    with pytest.raises(ValueError, match="allowed_hosts"):
        HostPolicy([entry])  # type: ignore[list-item]


def test_a_single_string_is_not_a_list_of_hosts() -> None:
    """`allowed_hosts="api.example.com"` is a mistake, not 15 one-letter hosts."""
    with pytest.raises(TypeError, match="not a single string"):
        HostPolicy("api.example.com")


def test_empty_and_allow_any() -> None:
    """No base_url and no hosts allows nothing; allow_any allows everything."""
    assert HostPolicy().empty
    assert not HostPolicy().allows(_config("https://x.example.com/", base_url=None))
    anyhost = HostPolicy(allow_any=True)
    assert not anyhost.empty
    assert anyhost.allows(_config("https://x.example.com/", base_url=None))


def test_relative_decision_cache_is_reset_by_a_new_base_url() -> None:
    """A cached "no" for a base_url becomes "yes" once that origin is added."""
    policy = HostPolicy()
    assert not policy.allows(_config("/x", base_url="https://late.example.com"))
    policy.add_base_url("https://late.example.com")
    assert policy.allows(_config("/x", base_url="https://late.example.com"))


def test_absolute_url_decision_cache_is_reset_by_a_new_base_url() -> None:
    """A remembered "no" for an absolute URL becomes "yes" once its origin is added."""
    policy = HostPolicy()
    config = _config("https://late.example.com/x?q=1", base_url=None)
    assert not policy.allows(config)
    assert not policy.allows(config)  # remembered
    policy.add_base_url("https://late.example.com")
    assert policy.allows(config)


def test_remembered_decisions_are_the_decisions() -> None:
    """Asking again (answered from the per-URL memo) gives the same answer, whatever the
    base_url of the later request, for absolute URLs; paths still follow their base_url."""
    policy = HostPolicy(["*.trusted.example"])
    policy.add_base_url("https://api.example.com")
    urls = {
        "https://api.example.com/a": True,
        "https://api.example.com:443/a?b=c#d": True,
        "https://x.trusted.example/a": True,
        "http://api.example.com/a": False,
        "https://api.example.com@evil.com/a": False,
        "https://evil.com/a": False,
        "https://trusted.example/a": False,
    }
    for _ in range(3):
        for url, expected in urls.items():
            for base in ("https://api.example.com", "https://evil.com", None):
                assert policy.allows(_config(url, base_url=base)) is expected, (url, base)
    assert policy.allows(_config("/a", base_url="https://api.example.com"))
    assert not policy.allows(_config("/a", base_url="https://evil.com"))


# --- credentials ---------------------------------------------------------------------------


def test_token_problem_describes_without_revealing() -> None:
    """Problems name the type or defect, never the value."""
    assert token_problem("abc.DEF-123_~+/=") is None
    assert token_problem(None) == "a NoneType, not a str"
    assert token_problem("") == "an empty str"
    bad = token_problem("secret\nInjected: yes")
    assert bad is not None
    assert "secret" not in bad
    assert token_problem("caf\u00e9") is not None


def test_scheme_and_header_value() -> None:
    """`Bearer t`, a bare token for scheme "", and schemes with spaces refused."""
    assert header_value("Bearer", "t") == "Bearer t"
    assert header_value("", "t") == "t"
    assert check_scheme("Bearer") is None
    assert check_scheme("") is None
    assert check_scheme("Bearer x") is not None
    assert check_scheme(None) is not None


def test_basic_token_is_rfc7617() -> None:
    """base64 of user:password in UTF-8."""
    assert basic_token("Aladdin", "open sesame") == "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
    assert basic_token("\u00e9", "p") == "w6k6cA=="


def test_credentials_repr_hides_the_header() -> None:
    """A snapshot's repr and mark show the owner and generation only."""
    credentials = Credentials("auth", 3, "Bearer s3cr3t", "Bearer old")
    assert repr(credentials) == "<Credentials of 'auth' generation=3>"
    assert credentials.mark == ("auth", 3)


# --- RefreshCoordinator --------------------------------------------------------------------


def _drive(coro: Coroutine[Any, Any, T]) -> T:
    """The result of a coroutine that does not suspend (a blocking settle, in a thread)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    raise AssertionError("settle suspended")


def _refresh_to(generation: int, calls: list[int] | None = None) -> Any:
    async def refresh() -> Credentials:
        if calls is not None:
            calls.append(generation)
        return Credentials("auth", generation, f"Bearer {generation}")

    return refresh


def test_coordinator_transitions() -> None:
    """A refresh installs new credentials; a stale generation retries without refreshing."""
    coordinator = RefreshCoordinator(Credentials("auth", 0, "Bearer a"))
    calls: list[int] = []
    assert _drive(coordinator.settle(0, _refresh_to(1, calls))) is True
    assert coordinator.credentials.generation == 1
    assert _drive(coordinator.settle(0, _refresh_to(9, calls))) is True  # stale: just retry
    assert _drive(coordinator.settle(1, _refresh_to(2, calls))) is True
    assert (calls, coordinator.refreshes) == ([1, 2], 2)


def test_a_refresh_that_gives_up_keeps_the_401() -> None:
    """A refresh returning None: False (no retry), and the credentials stay."""
    coordinator = RefreshCoordinator(Credentials("auth", 0, "Bearer a"))

    async def give_up() -> None:
        return None

    assert _drive(coordinator.settle(0, give_up)) is False
    assert coordinator.credentials.generation == 0


def test_failed_refresh_keeps_credentials_and_allows_a_later_one() -> None:
    """A failure raises to the caller; the credentials stay; the next 401 may lead again."""
    coordinator = RefreshCoordinator(Credentials("auth", 0, "Bearer a"))

    async def fail() -> Credentials:
        raise RuntimeError("down")

    with pytest.raises(RuntimeError, match="down"):
        _drive(coordinator.settle(0, fail))
    assert coordinator.credentials.generation == 0
    assert _drive(coordinator.settle(0, _refresh_to(1))) is True
    assert coordinator.refreshes == 2


def test_threads_share_one_refresh() -> None:
    """20 threads rejected with generation 0: one refresh, all retry with generation 1."""
    coordinator = RefreshCoordinator(Credentials("auth", 0, "Bearer a"))
    start = threading.Barrier(20, timeout=5)
    calls: list[int] = []

    async def refresh() -> Credentials:
        calls.append(1)
        threading.Event().wait(0.1)  # the other threads join meanwhile
        return Credentials("auth", 1, "Bearer b")

    def worker(_: int) -> bool:
        start.wait()
        return _drive(coordinator.settle(0, refresh, blocking=True))

    with ThreadPoolExecutor(max_workers=20) as pool:
        retries = list(pool.map(worker, range(20)))
    assert retries == [True] * 20
    assert (len(calls), coordinator.refreshes, coordinator.credentials.generation) == (1, 1, 1)


@pytest.mark.anyio
async def test_tasks_wait_for_a_leader_in_another_thread() -> None:
    """Tasks await a refresh that a thread runs; a cancelled waiter is skipped."""
    coordinator = RefreshCoordinator(Credentials("auth", 0, "Bearer a"))
    started, release = threading.Event(), threading.Event()

    async def refresh() -> Credentials:
        started.set()
        assert release.wait(5)
        return Credentials("auth", 1, "Bearer b")

    leader = threading.Thread(target=lambda: _drive(coordinator.settle(0, refresh, blocking=True)))
    leader.start()
    assert await asyncio.to_thread(started.wait, 5)
    waiters = [
        asyncio.ensure_future(coordinator.settle(0, refresh, blocking=False)) for _ in range(5)
    ]
    cancelled = asyncio.ensure_future(coordinator.settle(0, refresh, blocking=False))
    await asyncio.sleep(0.01)
    cancelled.cancel()
    release.set()
    assert await asyncio.gather(*waiters) == [True] * 5
    await asyncio.to_thread(leader.join, 5)
    assert cancelled.cancelled()
    assert coordinator.refreshes == 1
