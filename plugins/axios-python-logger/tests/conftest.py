"""Fixtures for the logger plugin: clients of the local server carrying the plugin, records."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from axios_python_logger import LoggerPlugin
from axios_python_testserver import LocalServer

import axios_python


@pytest.fixture
def base_url(server: LocalServer) -> str:
    return server.url


MakeApi = Callable[..., axios_python.AxiosPython]


@pytest.fixture
async def make_api(server: LocalServer) -> AsyncIterator[MakeApi]:
    """`make_api(plugin=None, **config)`: a client on the local server with a LoggerPlugin."""
    made: list[axios_python.AxiosPython] = []

    def make(plugin: Any = None, **config: Any) -> axios_python.AxiosPython:
        api = axios_python.create({"base_url": server.url, "timeout": 5, **config})
        if plugin is not False:
            api.plugin(plugin if plugin is not None else LoggerPlugin())
        made.append(api)
        return api

    yield make
    for api in made:
        await api.aclose()


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Callable[..., list[logging.LogRecord]]:
    """`logs(event=None, name="axios_python")`: the captured records of the plugin."""
    caplog.set_level(logging.DEBUG, logger="axios_python")

    def records(event: str | None = None, name: str = "axios_python") -> list[logging.LogRecord]:
        return [
            r
            for r in caplog.records
            if r.name == name and (event is None or getattr(r, "http_event", None) == event)
        ]

    return records


async def _send(
    api: axios_python.AxiosPython, mode: str, method: str, url: str, **options: Any
) -> axios_python.Response:
    if mode == "sync":
        return api.request(method, url, **options)
    return await api.async_request(method, url, **options)


@pytest.fixture
def send() -> Callable[..., Any]:
    """`await send(api, mode, method, url, **options)`: one request, sync or async API."""
    return _send
