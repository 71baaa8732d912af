"""Shared fixtures: one local httpbin-like server per session, and fresh clients per test."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator

import pytest
from axios_python_testserver import LocalServer

import axios_python
from tests.transports import MODES, TRANSPORTS


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
    """"sync" or "async": tests written once for both kinds of call."""
    return str(request.param)


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    """Collect after each test so a leaked socket fails the test that leaked it."""
    yield
    gc.collect()
