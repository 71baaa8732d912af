"""Every code sample of the seed README, run as written against the local server.

The only changes to the samples: `https://httpbin.org` and `https://api.myapp.com` point at the
local `server` fixture (with paths mapped onto its endpoints), `print` output is captured and
checked, long waits are shortened, and every client is closed at the end of its test.
"""

from __future__ import annotations

import asyncio
import builtins
import importlib.util
import json
import logging
import re
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from axios_python_testserver import LocalServer

import axios_python
from axios_python import (
    AxiosPython,
    BaseTransport,
    CancelToken,
    ExponentialBackoff,
    FixedBackoff,
    LinearBackoff,
    Plugin,
    Response,
)


def _lower(headers: dict[str, str]) -> dict[str, str]:
    """The server's echoed headers, keyed in lower case."""
    return {name.lower(): value for name, value in headers.items()}


@pytest.fixture
def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def clients() -> Iterator[list[AxiosPython]]:
    """Clients a test creates with `create()` as the README does; closed after the test."""
    created: list[AxiosPython] = []
    yield created
    for client in created:
        client.close()


# --- Quick start ---------------------------------------------------------------------------


def test_quick_start_one_off_get_with_params(server: LocalServer) -> None:
    """`axios_python.get(url, params=...)` gives status 200, ok and the parsed JSON body."""
    response = axios_python.get(f"{server.url}/get", params={"q": "python"})

    assert response.status_code == 200
    assert response.ok is True
    body = response.json()
    assert body["args"] == {"q": "python"}
    assert body["method"] == "GET"
    assert body["path"] == "/get"


def test_quick_start_configured_client(server: LocalServer, clients: list[AxiosPython]) -> None:
    """`create()` with base_url, timeout and headers sends them with every request."""
    api = axios_python.create(
        {
            "base_url": f"{server.url}/anything/v1",
            "timeout": 15,
            "headers": {
                "X-App-Version": "2.0",
                "Accept": "application/json",
            },
        }
    )
    clients.append(api)

    response = api.get("/users", params={"page": 1})
    body = response.json()

    assert response.status_code == 200
    assert body["path"] == "/anything/v1/users"
    assert body["args"] == {"page": "1"}
    headers = _lower(body["headers"])
    assert headers["x-app-version"] == "2.0"
    assert headers["accept"] == "application/json"
    assert api.defaults["timeout"] == 15


def test_quick_start_sync_get(
    server: LocalServer, clients: list[AxiosPython], capsys: pytest.CaptureFixture[str]
) -> None:
    """The sync sample: `api.get("/get", params=...)` and print the status."""
    api = axios_python.create({"base_url": server.url})
    clients.append(api)

    response = api.get("/get", params={"query": "python"})
    print(f"Status: {response.status_code}")

    assert capsys.readouterr().out == "Status: 200\n"
    assert response.json()["args"] == {"query": "python"}


def test_quick_start_async_get_with_asyncio_run(server: LocalServer) -> None:
    """The async sample, with `asyncio.run(main())` as printed (a shorter delay)."""
    api = axios_python.create({"base_url": server.url})
    seen: list[Any] = []

    async def main() -> None:
        async with api:
            response = await api.async_get("/delay/0.1")
            seen.append(response.data)

    asyncio.run(main())

    assert len(seen) == 1
    assert seen[0]["path"] == "/delay/0.1"
    assert seen[0]["method"] == "GET"


def test_file_upload_with_tuple(server: LocalServer, tmp_path: Path, monkeypatch: Any) -> None:
    """`files={"file": ("report.csv", f, "text/csv")}` uploads name, type and content."""
    csv = "id,name\n1,alpha\n2,beta\n"
    (tmp_path / "report.csv").write_text(csv)
    monkeypatch.chdir(tmp_path)

    with open("report.csv", "rb") as f:
        response = axios_python.post(
            f"{server.url}/post",
            files={"file": ("report.csv", f, "text/csv")},
        )

    assert response.status_code == 200
    assert response.json()["files"] == {
        "file": {
            "filename": "report.csv",
            "content_type": "text/csv",
            "size": len(csv),
            "text": csv,
        }
    }


def test_stream_iter_bytes_in_chunks(server: LocalServer) -> None:
    """`stream=True` + `iter_bytes(chunk_size=64)` yields the whole body in chunks of <= 64 bytes."""
    chunks: list[bytes] = []
    process = chunks.append

    with axios_python.get(f"{server.url}/stream-bytes/1024", stream=True) as resp:
        for chunk in resp.iter_bytes(chunk_size=64):
            process(chunk)

    assert resp.is_closed
    assert sum(len(c) for c in chunks) == 1024
    assert all(0 < len(c) <= 64 for c in chunks)
    assert len(chunks) == 16
    # /stream-bytes/N sends the same deterministic bytes as /bytes/N
    assert b"".join(chunks) == axios_python.get(f"{server.url}/bytes/1024").content


@pytest.mark.anyio
async def test_stream_async_with_await_aiter_lines(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """`async with await axios_python.async_get(..., stream=True)` + `aiter_lines()`."""

    async def stream_data() -> None:
        async with await axios_python.async_get(f"{server.url}/stream/5", stream=True) as resp:
            async for line in resp.aiter_lines():
                print(line)
        assert resp.is_closed

    await stream_data()

    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [0, 1, 2, 3, 4]
    await axios_python.default_client().aclose()


# --- Interceptors --------------------------------------------------------------------------


def _readme_interceptor_client(server: LocalServer, calls: list[str]) -> AxiosPython:
    """The interceptor sample, with validate_status so a 401 reaches the rejected handler."""
    api = axios_python.create({"base_url": server.url, "validate_status": lambda s: s < 400})

    def get_current_token() -> str:
        return "token-1"

    def refresh_token() -> None:
        calls.append("refresh_token")

    # --- Request interceptor ---
    def attach_auth(config: dict[str, Any]) -> dict[str, Any]:
        config["headers"]["Authorization"] = f"Bearer {get_current_token()}"
        return config

    api.interceptors.request.use(attach_auth)

    # --- Response interceptor ---
    def unwrap_envelope(response: Response) -> Response:
        response.data = response.json().get("data", response.data)
        return response

    api.interceptors.response.use(unwrap_envelope)

    # --- Error interceptor ---
    def handle_401(error: Any) -> None:
        if error.response and error.response.status_code == 401:
            refresh_token()
        raise error

    api.interceptors.response.use(unwrap_envelope, handle_401)
    return api


def test_interceptors_attach_auth_and_unwrap_envelope(
    server: LocalServer, clients: list[AxiosPython]
) -> None:
    """attach_auth reaches the server; unwrap_envelope replaces data with the envelope's `data`."""
    calls: list[str] = []
    api = _readme_interceptor_client(server, calls)
    clients.append(api)

    response = api.get("/bearer")
    assert response.status_code == 200
    assert response.json() == {"authenticated": True, "token": "token-1"}

    enveloped = api.get("/response-headers", params={"data": "payload"})
    assert enveloped.json() == {"data": "payload"}
    assert enveloped.data == "payload"

    plain = api.get("/headers")  # no envelope: data is left as decoded
    assert _lower(plain.data["headers"])["authorization"] == "Bearer token-1"
    assert calls == []


def test_interceptors_handle_401_refreshes_and_reraises(
    server: LocalServer, clients: list[AxiosPython]
) -> None:
    """A 401 rejected by validate_status reaches handle_401, which refreshes and re-raises."""
    calls: list[str] = []
    api = _readme_interceptor_client(server, calls)
    clients.append(api)

    with pytest.raises(axios_python.HTTPStatusError) as info:
        api.get("/status/401")

    assert info.value.response.status_code == 401
    assert info.value.code == "ERR_BAD_REQUEST"
    assert calls == ["refresh_token"]

    with pytest.raises(axios_python.HTTPStatusError):
        api.get("/status/500")
    assert calls == ["refresh_token"]  # only a 401 refreshes


# --- Middleware ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_middleware_timing_and_trace_on_sync_and_async(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """trace then timing, registered as printed, wrap both `api.get` and `await api.async_get`."""
    events: list[str] = []
    trace_ids: list[str] = []

    def generate_trace_id() -> str:
        trace_id = uuid.uuid4().hex
        trace_ids.append(trace_id)
        return trace_id

    async def timing_middleware(ctx: dict[str, Any], next_fn: Any) -> Any:
        events.append("timing:before")
        start = time.monotonic()
        print(f"→ {ctx['method'].upper()} {ctx['url']}")

        result = await next_fn(ctx)

        elapsed = (time.monotonic() - start) * 1000
        print(f"← {result.status_code} in {elapsed:.1f}ms")
        events.append("timing:after")
        return result

    async def trace_middleware(ctx: dict[str, Any], next_fn: Any) -> Any:
        events.append("trace:before")
        ctx["headers"]["X-Trace-Id"] = generate_trace_id()
        result = await next_fn(ctx)
        events.append("trace:after")
        return result

    api = axios_python.create({"base_url": server.url})
    api.use(trace_middleware)
    api.use(timing_middleware)

    sync_response = api.get("/headers")
    async_response = await api.async_get("/headers")
    await api.aclose()

    order = ["trace:before", "timing:before", "timing:after", "trace:after"]
    assert events == order + order
    assert len(trace_ids) == 2
    assert trace_ids[0] != trace_ids[1]
    assert _lower(sync_response.json()["headers"])["x-trace-id"] == trace_ids[0]
    assert _lower(async_response.json()["headers"])["x-trace-id"] == trace_ids[1]
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4
    assert out[0] == "→ GET /headers"
    assert out[1].startswith("← 200 in ")
    assert out[1].endswith("ms")
    assert out[2] == "→ GET /headers"
    assert out[3].startswith("← 200 in ")


# --- Retry engine --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("max_retries", "strategy"),
    [
        (4, ExponentialBackoff(base=0.5, multiplier=2.0, max_delay=10.0)),
        (3, LinearBackoff(delay=1.0)),  # 1s, 2s, 3s
        (5, FixedBackoff(delay=2.0)),  # Always 2s
    ],
    ids=["exponential", "linear", "fixed"],
)
def test_retry_strategies_as_printed(
    server: LocalServer, clients: list[AxiosPython], max_retries: int, strategy: Any
) -> None:
    """The three back-off samples build clients whose successful requests are not retried."""
    api = axios_python.create(
        {
            "base_url": server.url,
            "max_retries": max_retries,
            "retry_strategy": strategy,
        }
    )
    clients.append(api)

    start = time.monotonic()
    response = api.get("/get")

    assert response.status_code == 200
    assert time.monotonic() - start < 0.5  # no back-off sleep happened
    assert api.defaults["max_retries"] == max_retries
    assert api.defaults["retry_strategy"] is strategy


def test_retry_strategy_delays_as_commented() -> None:
    """LinearBackoff(1.0) waits 1s, 2s, 3s; FixedBackoff(2.0) always 2s; exponential doubles."""
    linear = LinearBackoff(delay=1.0)
    fixed = FixedBackoff(delay=2.0)
    exponential = ExponentialBackoff(base=0.5, multiplier=2.0, max_delay=10.0, jitter=False)
    assert [linear.delay(n) for n in (1, 2, 3)] == [1.0, 2.0, 3.0]
    assert [fixed.delay(n) for n in (1, 2, 3)] == [2.0, 2.0, 2.0]
    assert [exponential.delay(n) for n in (1, 2, 3, 4, 5, 6)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0]


def test_retry_on_status_retries_a_503_then_succeeds(
    server: LocalServer, clients: list[AxiosPython]
) -> None:
    """`retry_on_status=[429, 502, 503, 504]`: a 503 is retried and the second attempt wins."""
    retries: list[tuple[int, float]] = []
    api = axios_python.create(
        {
            "base_url": server.url,
            "max_retries": 3,
            "retry_strategy": ExponentialBackoff(
                base=0.01,
                multiplier=2.0,
                retry_on_status=[429, 502, 503, 504],
            ),
            "on_retry": lambda attempt, outcome, delay: retries.append((attempt, delay)),
        }
    )
    clients.append(api)
    name = uuid.uuid4().hex

    response = api.get(f"/flaky/{name}", params={"fail": 1, "status": 503})

    assert response.status_code == 200
    assert response.json() == {"name": name, "attempt": 2}
    assert len(retries) == 1
    assert retries[0][0] == 1
    assert 0.005 <= retries[0][1] <= 0.01


def test_retry_on_status_with_mock_transport_counts_attempts() -> None:
    """The same, over a MockTransport: 503 then 200 is exactly two attempts."""
    statuses = iter([503, 200])
    transport = axios_python.MockTransport(lambda request: Response(next(statuses)))
    api = AxiosPython(
        {
            "base_url": "https://api.myapp.com",
            "max_retries": 3,
            "retry_strategy": ExponentialBackoff(base=0.01, retry_on_status=[503]),
        },
        transport=transport,
    )

    response = api.get("/users")

    assert response.status_code == 200
    assert len(transport.requests) == 2


# --- Cancellation --------------------------------------------------------------------------


def test_cancel_token_aborts_a_request_in_another_thread(
    server: LocalServer, clients: list[AxiosPython]
) -> None:
    """`token.cancel(reason=...)` aborts a blocked `/delay/10` fast, with the reason in the error."""
    api = axios_python.create({"base_url": server.url})
    clients.append(api)
    token = CancelToken()
    printed: list[str] = []
    finished: list[float] = []

    def fetch() -> None:
        try:
            response = api.get("/delay/10", cancel_token=token)
            printed.append(str(response.status_code))
        except axios_python.CancelError as e:
            printed.append(f"Aborted: {e}")
        finally:
            finished.append(time.monotonic())

    thread = threading.Thread(target=fetch)
    thread.start()

    time.sleep(0.3)
    cancelled_at = time.monotonic()
    token.cancel(reason="User navigated away")
    thread.join(timeout=5)

    assert not thread.is_alive()
    assert printed == ["Aborted: User navigated away"]
    assert finished[0] - cancelled_at < 1.0
    assert token.is_cancelled
    assert token.reason == "User navigated away"


# --- Concurrent requests -------------------------------------------------------------------


def test_concurrent_requests_with_thread_pool(
    server: LocalServer, clients: list[AxiosPython]
) -> None:
    """Four endpoints fetched through a ThreadPoolExecutor all succeed, in submission order."""
    api = axios_python.create({"base_url": server.url})
    clients.append(api)

    endpoints = ["/get", "/ip", "/user-agent", "/headers"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(api.get, ep) for ep in endpoints]
        results = [f.result() for f in futures]

    assert [r.status_code for r in results] == [200, 200, 200, 200]
    assert [str(r.url) for r in results] == [server.url + ep for ep in endpoints]
    assert results[1].json() == {"origin": "127.0.0.1"}
    assert results[2].json()["user-agent"].startswith("axios-python/")


def test_concurrent_requests_with_asyncio_gather(
    server: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The asyncio.gather sample, with `asyncio.run(main())` as printed."""
    api = axios_python.create({"base_url": server.url})

    async def main() -> None:
        tasks = [
            api.async_get("/get"),
            api.async_get("/ip"),
            api.async_get("/user-agent"),
        ]
        results = await asyncio.gather(*tasks)
        for response in results:
            print(response.status_code, response.json())
        await api.aclose()

    asyncio.run(main())

    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    assert all(line.startswith("200 {") for line in lines)
    assert lines[1] == "200 {'origin': '127.0.0.1'}"
    assert "'user-agent': 'axios-python/" in lines[2]


# --- Plugins -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "module", "extra", "kwargs"),
    [
        ("AuthPlugin", "axios_python_auth", "auth", {"scheme": "Bearer", "token": "secret"}),
        ("CachePlugin", "axios_python_cache", "cache", {"ttl": 120, "max_size": 256}),
        (
            "LoggerPlugin",
            "axios_python_logger",
            "logger",
            {"level": logging.INFO, "log_headers": False, "log_body": True},
        ),
    ],
)
def test_bundled_plugins_import_or_explain_the_extra(
    name: str, module: str, extra: str, kwargs: dict[str, Any]
) -> None:
    """`from axios_python import XPlugin` works, or says which extra to install."""
    if importlib.util.find_spec(module) is None:
        with pytest.raises(ImportError, match=re.escape(f'pip install "axios-python[{extra}]"')):
            getattr(axios_python, name)
        return
    plugin_class = getattr(axios_python, name)
    assert issubclass(plugin_class, Plugin)
    api = AxiosPython(
        {"base_url": "https://api.myapp.com"},
        transport=axios_python.MockTransport(lambda request: Response(200)),
    )
    plugin = api.plugin(plugin_class(**kwargs))
    assert api.plugins == [plugin]


def test_bundled_plugin_import_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a plugin distribution missing, the ImportError names the extra to install."""
    for module in ("axios_python_cache", "axios_python_auth", "axios_python_logger"):
        monkeypatch.setitem(sys.modules, module, None)  # makes `import module` fail

    for name, extra in (
        ("CachePlugin", "cache"),
        ("AuthPlugin", "auth"),
        ("LoggerPlugin", "logger"),
    ):
        with pytest.raises(ImportError) as info:
            getattr(axios_python, name)
        assert f'pip install "axios-python[{extra}]"' in str(info.value)


def test_broken_plugin_distribution_is_not_reported_as_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An ImportError raised inside an installed plugin is re-raised, not "pip install ..."."""
    package = tmp_path / "axios_python_cache"
    package.mkdir()
    (package / "__init__.py").write_text("from ._missing import CachePlugin\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "axios_python_cache", raising=False)

    with pytest.raises(ImportError) as info:
        from axios_python import CachePlugin  # noqa: F401

    assert "pip install" not in str(info.value)
    assert "_missing" in str(info.value)


class CorrelationIdPlugin(Plugin):
    """Attaches a unique X-Correlation-Id header to every outgoing request."""

    def on_request(self, config: dict[str, Any]) -> dict[str, Any]:
        import uuid

        config["headers"]["X-Correlation-Id"] = str(uuid.uuid4())
        return config

    def on_response(self, response: Any) -> Any:
        cid = response.headers.get("X-Correlation-Id")
        response.correlation_id = cid
        return response


def _echo_correlation_id(request: Any) -> Response:
    """A transport handler that echoes the request's X-Correlation-Id as a response header."""
    cid = request.headers["X-Correlation-Id"]
    return Response(200, headers={"X-Correlation-Id": cid}, data={"seen": cid}, request=request)


def test_custom_correlation_id_plugin_over_an_echoing_transport() -> None:
    """The plugin sets the header on each request and copies it onto `response.correlation_id`."""
    api = AxiosPython(
        config={"base_url": "https://api.myapp.com"},
        transport=axios_python.MockTransport(_echo_correlation_id),
    )
    api.plugin(CorrelationIdPlugin())

    first = api.get("/users")
    second = api.get("/users")

    assert first.correlation_id == first.data["seen"]
    assert str(uuid.UUID(first.correlation_id)) == first.correlation_id
    assert second.correlation_id == second.data["seen"]
    assert first.correlation_id != second.correlation_id


@pytest.mark.anyio
async def test_custom_correlation_id_plugin_reaches_the_server(server: LocalServer) -> None:
    """Over the network the header reaches the server (sync and async); it echoes no header back."""
    async with axios_python.create({"base_url": server.url}) as api:
        api.plugin(CorrelationIdPlugin())
        responses = [api.get("/headers"), await api.async_get("/headers")]

    for response in responses:
        cid = _lower(response.json()["headers"])["x-correlation-id"]
        assert str(uuid.UUID(cid)) == cid
        assert response.correlation_id is None  # the server does not echo it as a header


# --- Error handling ------------------------------------------------------------------------


def _readme_error_handling(call: Callable[[], Response]) -> str:
    """The README's try/except ladder around `call()`, returning what it would print."""
    try:
        response = call()
        response.raise_for_status()

    except axios_python.HTTPStatusError as e:
        return f"HTTP {e.response.status_code}: {e.response.url}"

    except axios_python.TimeoutError:
        return "Request exceeded the configured timeout."

    except axios_python.NetworkError:
        return "Could not reach the server. Check connectivity."

    except axios_python.RetryError as e:
        return f"Exhausted all retry attempts. Last error: {e.__cause__}"

    except axios_python.CancelError as e:
        return f"Request was cancelled: {e}"

    except axios_python.AxiosPythonError as e:
        return f"Unexpected error: {e}"
    return "ok"


def test_error_handling_http_status_error(server: LocalServer) -> None:
    """`raise_for_status()` on a 503 raises HTTPStatusError carrying the response."""
    url = f"{server.url}/status/503"
    assert _readme_error_handling(lambda: axios_python.get(url)) == f"HTTP 503: {url}"

    response = axios_python.get(url)
    with pytest.raises(axios_python.HTTPStatusError) as info:
        response.raise_for_status()
    assert info.value.response is response
    assert info.value.response.status_code == 503
    assert info.value.code == "ERR_BAD_RESPONSE"


def test_error_handling_timeout(server: LocalServer) -> None:
    """A read timeout raises axios_python.TimeoutError, which `except TimeoutError` also catches."""
    url = f"{server.url}/delay/2"
    message = _readme_error_handling(lambda: axios_python.get(url, timeout=0.2))
    assert message == "Request exceeded the configured timeout."

    start = time.monotonic()
    with pytest.raises(builtins.TimeoutError) as info:  # the builtin, as `except TimeoutError:`
        axios_python.get(url, timeout=0.2)
    assert time.monotonic() - start < 1.5
    assert isinstance(info.value, axios_python.TimeoutError)
    assert info.value.code == "ETIMEDOUT"
    assert info.value.phase == "read"


def test_error_handling_network_error(closed_port_url: str) -> None:
    """A refused connection raises NetworkError."""
    url = f"{closed_port_url}/get"
    message = _readme_error_handling(lambda: axios_python.get(url))
    assert message == "Could not reach the server. Check connectivity."

    with pytest.raises(axios_python.NetworkError) as info:
        axios_python.get(url)
    assert info.value.code == "ECONNREFUSED"
    assert info.value.request is not None
    assert str(info.value.request.url) == url


def test_error_handling_retry_error(closed_port_url: str, clients: list[AxiosPython]) -> None:
    """Exhausted retries raise RetryError whose __cause__ is the last error."""
    api = axios_python.create(
        {"base_url": closed_port_url, "max_retries": 2, "retry_strategy": FixedBackoff(0.01)}
    )
    clients.append(api)

    message = _readme_error_handling(lambda: api.get("/get"))
    assert message.startswith("Exhausted all retry attempts. Last error: ")

    with pytest.raises(axios_python.RetryError) as info:
        api.get("/get")
    assert info.value.attempts == 3
    assert isinstance(info.value.__cause__, axios_python.NetworkError)
    assert message == f"Exhausted all retry attempts. Last error: {info.value.__cause__}"


def test_error_handling_cancel_error(server: LocalServer) -> None:
    """A cancelled token raises CancelError whose message is the reason."""
    token = CancelToken()
    token.cancel("no longer needed")
    url = f"{server.url}/get"
    message = _readme_error_handling(lambda: axios_python.get(url, cancel_token=token))
    assert message == "Request was cancelled: no longer needed"


def test_error_handling_falls_back_to_axios_python_error(server: LocalServer) -> None:
    """Any other library error (here TooManyRedirects) lands in `except AxiosPythonError`."""
    url = f"{server.url}/redirect/3"
    message = _readme_error_handling(lambda: axios_python.get(url, max_redirects=1))
    assert message.startswith("Unexpected error: ")


def test_error_handling_success_passes_through(server: LocalServer) -> None:
    """A 2xx response goes through the ladder untouched."""
    assert _readme_error_handling(lambda: axios_python.get(f"{server.url}/get")) == "ok"


@pytest.mark.parametrize(
    "error_class",
    [
        axios_python.HTTPStatusError,
        axios_python.TimeoutError,
        axios_python.NetworkError,
        axios_python.RetryError,
        axios_python.CancelError,
    ],
)
def test_exception_hierarchy(error_class: type[Exception]) -> None:
    """Each error of the README's tree derives from AxiosPythonError, and none from another."""
    assert issubclass(error_class, axios_python.AxiosPythonError)
    assert issubclass(axios_python.AxiosPythonError, Exception)
    siblings = {
        axios_python.HTTPStatusError,
        axios_python.TimeoutError,
        axios_python.NetworkError,
        axios_python.RetryError,
        axios_python.CancelError,
    } - {error_class}
    assert not any(issubclass(error_class, other) for other in siblings)


def test_timeout_error_is_also_the_builtin() -> None:
    """`axios_python.TimeoutError` is a `builtins.TimeoutError` too."""
    assert issubclass(axios_python.TimeoutError, builtins.TimeoutError)
    assert axios_python.TimeoutError is not builtins.TimeoutError


# --- Custom transports ---------------------------------------------------------------------


class MockTransport(BaseTransport):
    """Returns a canned 200 response for every request — great for unit tests."""

    def send(self, request: Any) -> Response:
        return Response(
            status_code=200,
            headers={"Content-Type": "application/json"},
            data={"mock": True, "url": str(request.url)},
            request=request,
        )

    async def send_async(self, request: Any) -> Response:
        return self.send(request)


def test_custom_transport_sample_as_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The README's MockTransport answers without any network use."""

    def no_network(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the custom transport sample must not open a socket")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", no_network)

    api = AxiosPython(
        config={"base_url": "https://api.myapp.com"},
        transport=MockTransport(),
    )

    response = api.get("/users")
    assert response.json() == {"mock": True, "url": "https://api.myapp.com/users"}
    assert response.data == {"mock": True, "url": "https://api.myapp.com/users"}
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"


@pytest.mark.anyio
async def test_custom_transport_sample_async() -> None:
    """The same transport answers `await api.async_get`."""
    api = AxiosPython(
        config={"base_url": "https://api.myapp.com"},
        transport=MockTransport(),
    )

    response = await api.async_get("/users")
    assert response.json() == {"mock": True, "url": "https://api.myapp.com/users"}
