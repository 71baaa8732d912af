"""Shared fixtures: one local httpbin-like server per session, and fresh clients per test."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator

import pytest
from axios_python_testserver import LocalServer

import axios_python
from tests.transports import GAPS, LEFT_OUT, MODES, ONLY_MODE, TRANSPORTS


@pytest.fixture(scope="session")
def server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1, for the whole session."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def base_url(server: LocalServer) -> str:
    return server.url


@pytest.fixture
def api(server: LocalServer) -> Iterator[axios_python.AxiosPython]:
    """A client pointed at the local server, closed after the test."""
    with axios_python.create({"base_url": server.url, "timeout": 5}) as client:
        yield client


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def aapi(server: LocalServer) -> AsyncIterator[axios_python.AxiosPython]:
    """A client for async tests, closed (async) after the test."""
    async with axios_python.create({"base_url": server.url, "timeout": 5}) as client:
        yield client


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    """The name of each transport, for tests written once for all of them."""
    return str(request.param)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    """ "sync" or "async": tests written once for both kinds of call."""
    return str(request.param)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the (transport, mode) pairs where the transport hands the call to another
    transport (tests/transports.py: ONLY_MODE): that is the other transport's test."""
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        only = ONLY_MODE.get(params.get("transport"))
        mode = params.get("mode")
        transport = params.get("transport")
        name = getattr(item, "originalname", item.name)
        if name in LEFT_OUT.get(transport, ()):
            dropped.append(item)
            continue
        gaps = GAPS.get(transport, {})
        gap = gaps.get(name) or gaps.get(f"{name}:{params.get('key')}")  # a matrix row
        if gap is not None:
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"TODO (issue 19): {gap}"))
        (dropped if only is not None and mode is not None and mode != only else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect after each test so a leaked socket fails the test that leaked it."""
    yield
    gc.collect()
