"""`PluginContract`: the tests every plugin should pass, for third-party authors to run.

Imported from `axios_python.testing` on first use (it reads the installed transports)::

    from axios_python.testing import PluginContract

    class TestMyPluginContract(PluginContract):
        def make_plugin(self):
            return MyPlugin(option=1)

pytest collects the inherited `test_*` methods: each runs against a real server on 127.0.0.1,
on every installed transport, in sync and async mode. The server is the
`axios-python-testserver` distribution: add `axios-python[testing]` to your test dependencies.
"""

from __future__ import annotations

import asyncio
import atexit
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

import axios_python

from ._discovery import TRANSPORT_GROUP, _names

try:
    from axios_python_testserver import LocalServer
except ImportError as exc:  # pragma: no cover - the message is the point
    raise ImportError(
        "PluginContract runs against axios-python-testserver, which is not installed: "
        'pip install "axios-python[testing]"'
    ) from exc

__all__ = ["PluginContract"]

TRANSPORTS = _names(TRANSPORT_GROUP)


class PluginContract:
    """A battery of tests for one plugin. Subclass it as `Test...` and implement
    `make_plugin()` (or set `entry_point`, and `options`, to register it by name).

    Override `check_response(response)` when the plugin legitimately changes responses, and
    `client_config` for options the plugin needs on its client (auth's `allowed_hosts`, ...).
    """

    entry_point: ClassVar[str | None] = None
    options: ClassVar[dict[str, Any]] = {}
    client_config: ClassVar[dict[str, Any]] = {}

    def make_plugin(self) -> Any:
        """A new plugin object (by default: the installed `entry_point` with `options`)."""
        if self.entry_point is None:
            raise NotImplementedError("implement make_plugin(), or set entry_point")
        from ._discovery import load_plugin

        return load_plugin(self.entry_point, **self.options)

    def check_response(self, response: axios_python.Response) -> None:
        """What a plugin must leave intact in an answered request (overridable)."""
        assert response.status_code == 200, response
        assert isinstance(response.data, dict)
        assert response.data.get("method") == "GET"

    # --- fixtures ----------------------------------------------------------------------

    @pytest.fixture
    def contract_server(self) -> LocalServer:
        """One server for every contract test of the process (started on first use)."""
        return _shared_server()

    @pytest.fixture(params=TRANSPORTS)
    def contract_transport(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    @pytest.fixture(params=["sync", "async"])
    def contract_mode(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)

    def client(self, server_url: str, transport: str, **config: Any) -> axios_python.AxiosPython:
        return axios_python.create(
            {
                "base_url": server_url,
                "transport": transport,
                "timeout": 10,
                "autoload": False,
                **self.client_config,
                **config,
            }
        )

    @pytest.fixture
    def contract_client(
        self, contract_server: LocalServer, contract_transport: str
    ) -> Iterator[axios_python.AxiosPython]:
        with self.client(contract_server.url, contract_transport) as api:
            yield api

    # --- the contract ------------------------------------------------------------------

    def test_calls(self, contract_client: axios_python.AxiosPython, contract_mode: str) -> None:
        """Requests with the plugin registered succeed, sync and async."""
        contract_client.plugin(self.make_plugin())
        self.check_response(_send(contract_client, contract_mode, "/get"))
        self.check_response(_send(contract_client, contract_mode, "/get", params={"n": 2}))

    def test_retries(
        self, contract_server: LocalServer, contract_transport: str, contract_mode: str
    ) -> None:
        """A 503 then a 200: the plugin sees two attempts and the retry succeeds."""
        strategy = axios_python.FixedBackoff(0, retry_on_status=[503])
        with self.client(
            contract_server.url, contract_transport, max_retries=2, retry_strategy=strategy
        ) as api:
            api.plugin(self.make_plugin())
            response = _send(api, contract_mode, f"/flaky/{uuid.uuid4().hex}?fail=1")
        assert response.status_code == 200
        assert response.data["attempt"] == 2

    def test_streaming(self, contract_client: axios_python.AxiosPython, contract_mode: str) -> None:
        """A streamed body arrives whole through the plugin."""
        contract_client.plugin(self.make_plugin())
        body = _send(contract_client, contract_mode, "/stream-bytes/5000", stream=True)
        assert len(body) == 5000

    def test_error_status(
        self, contract_client: axios_python.AxiosPython, contract_mode: str
    ) -> None:
        """A rejected status stays an HTTPStatusError (not a PluginError) with its response."""
        contract_client.plugin(self.make_plugin())
        with pytest.raises(axios_python.HTTPStatusError) as info:
            _send(contract_client, contract_mode, "/status/500", validate_status=lambda s: s < 400)
        assert info.value.response is not None
        assert info.value.response.status_code == 500

    def test_network_error(self, contract_transport: str, contract_mode: str) -> None:
        """A refused connection stays a NetworkError (not a PluginError)."""
        with self.client(f"http://127.0.0.1:{_closed_port()}", contract_transport) as api:
            api.plugin(self.make_plugin())
            with pytest.raises(axios_python.NetworkError):
                _send(api, contract_mode, "/get")

    def test_unplug_and_replug(
        self, contract_client: axios_python.AxiosPython, contract_mode: str
    ) -> None:
        """unplug() leaves no hook, middleware or interceptor behind; plugging in again works."""
        api = contract_client
        before = (api.middlewares, len(api.interceptors.request), len(api.interceptors.response))
        plugin = api.plugin(self.make_plugin())
        assert api.has_plugin(plugin)
        self.check_response(_send(api, contract_mode, "/get"))
        api.unplug(plugin)
        assert not api.has_plugin(plugin)
        assert api.plugins == []
        after = (api.middlewares, len(api.interceptors.request), len(api.interceptors.response))
        assert after == before, "unplug() left middleware or interceptors behind"
        assert not any(api.implements(hook) for hook in _HOOKS)
        assert _send(api, contract_mode, "/get").status_code == 200
        api.plugin(plugin)
        self.check_response(_send(api, contract_mode, "/get"))
        api.unplug(plugin)


_HOOKS = ("on_request", "on_transport", "on_response", "on_error")


def _send(api: axios_python.AxiosPython, mode: str, url: str, **options: Any) -> Any:
    """One GET in `mode`; a streamed response is read whole and its body returned."""
    stream = options.get("stream", False)
    if mode == "sync":
        response = api.get(url, **options)
        if stream:
            with response:
                return b"".join(response.iter_bytes())
        return response

    async def call() -> Any:
        response = await api.async_get(url, **options)
        if stream:
            async with response:
                return b"".join([chunk async for chunk in response.aiter_bytes()])
        return response

    return asyncio.run(call())


_server: LocalServer | None = None
_server_lock = threading.Lock()


def _shared_server() -> LocalServer:
    global _server
    with _server_lock:
        if _server is None:
            _server = LocalServer().start()
            atexit.register(_server.close)
        return _server


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
