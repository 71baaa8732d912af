"""`axios-python demo`: each feature shown against an embedded server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from typing import Any

import axios_python

__all__ = ["demo"]

EXIT_CONFIG = 5  # as the command line's configuration error


def demo() -> int:
    """Start a server on 127.0.0.1 and show each feature against it, printing what happens."""
    try:
        from axios_python_testserver import LocalServer
    except ImportError:
        print(
            "axios-python demo needs its embedded server, which is not installed:\n"
            '    pip install "axios-python[cli]"',
            file=sys.stderr,
        )
        return EXIT_CONFIG
    with LocalServer() as server:
        print(f"Embedded server listening on {server.url}\n")
        _one_off(server.url)
        api = _client(server.url)
        _retries(server.url)
        _typed_errors(api, server.url)
        _cancellation(api)
        _streaming(api)
        _plugin(api)
        api.close()
        axios_python.default_client().close()
    print("\nDone.")
    return 0


def _section(title: str) -> None:
    print(f"\n{title}")


def _one_off(url: str) -> None:
    _section("1. One-off request with the module-level helper")
    response = axios_python.get(f"{url}/get", params={"q": "python"})
    print(
        f"GET /get?q=python -> {response.status_code}, ok={response.ok}, args={response.data['args']}"
    )


def _client(url: str) -> axios_python.AxiosPython:
    _section("2. An isolated client, interceptors and middleware")
    api = axios_python.create({"base_url": url, "timeout": 5, "headers": {"X-App-Version": "2.0"}})
    api.interceptors.request.use(_attach_auth)
    api.interceptors.response.use(_unwrap)
    api.use(_timing)
    response = api.get("/headers")
    print(
        f"  server saw: X-App-Version={response.data.get('X-App-Version')}, "
        f"Authorization={response.data.get('Authorization')}"
    )
    print("  the same pipeline, async:")
    statuses = asyncio.run(_gather(api))
    print(f"  asyncio.gather of 3 requests -> {statuses}")
    return api


def _attach_auth(config: dict[str, Any]) -> dict[str, Any]:
    config["headers"]["Authorization"] = "Bearer demo-token"
    print("  request interceptor: attached Authorization")
    return config


def _unwrap(response: axios_python.Response) -> axios_python.Response:
    streamed = response.config.get("stream")
    if not streamed and isinstance(response.data, dict) and "headers" in response.data:
        response.data = response.data["headers"]
    print("  response interceptor: unwrapped the echoed headers")
    return response


async def _timing(ctx: dict[str, Any], next_fn: Any) -> Any:
    start = time.perf_counter()
    print(f"  -> {ctx['method']} {ctx['url']}")
    result = await next_fn(ctx)
    print(f"  <- {result.status_code} in {(time.perf_counter() - start) * 1000:.1f} ms")
    return result


async def _gather(api: Any) -> list[int]:
    responses = await asyncio.gather(*(api.async_get("/get", params={"n": i}) for i in range(3)))
    await api.aclose()
    return [r.status_code for r in responses]


def _retries(url: str) -> None:
    _section("3. Retries with back-off")
    flaky = axios_python.create(
        {
            "base_url": url,
            "max_retries": 3,
            "retry_strategy": axios_python.ExponentialBackoff(base=0.05, retry_on_status=[503]),
            "on_retry": lambda attempt, outcome, delay: print(
                f"  attempt {attempt} got {getattr(outcome, 'status_code', outcome)}; retrying in {delay * 1000:.0f} ms"
            ),
        }
    )
    response = flaky.get("/flaky/demo", params={"fail": 2})
    print(f"  GET /flaky/demo -> {response.status_code} after {response.data['attempt']} attempts")
    try:
        flaky.get("/status/503")
    except axios_python.RetryError as exc:
        print(f"  GET /status/503 -> RetryError after {exc.attempts} attempts (code {exc.code})")
    flaky.close()


def _typed_errors(api: axios_python.AxiosPython, url: str) -> None:
    _section("4. Typed errors")
    try:
        api.get("/delay/2", timeout=0.2)
    except axios_python.TimeoutError as exc:
        print(f"  timeout=0.2 on /delay/2 -> TimeoutError phase={exc.phase} code={exc.code}")
    strict = axios_python.create({"base_url": url, "validate_status": lambda status: status < 400})
    try:
        strict.get("/status/404")
    except axios_python.HTTPStatusError as exc:
        print(f"  validate_status rejects 404 -> HTTPStatusError code={exc.code}")
    strict.close()
    try:
        axios_python.create({"timout": 5})
    except axios_python.ConfigError as exc:
        print(f"  bad config -> ConfigError: {exc}")


def _cancellation(api: axios_python.AxiosPython) -> None:
    _section("5. Cancellation from another thread")
    token = axios_python.CancelToken()
    threading.Timer(0.3, token.cancel, kwargs={"reason": "user navigated away"}).start()
    start = time.perf_counter()
    try:
        api.get("/delay/10", cancel_token=token)
    except axios_python.CancelError as exc:
        print(f"  /delay/10 aborted after {time.perf_counter() - start:.2f} s: {exc}")
    print(f"  the client is still healthy: GET /get -> {api.get('/get').status_code}")


def _streaming(api: axios_python.AxiosPython) -> None:
    _section("6. Streaming")
    with api.get("/stream-bytes/4096", stream=True) as streamed:
        sizes = [len(chunk) for chunk in streamed.iter_bytes(chunk_size=1024)]
    print(f"  /stream-bytes/4096 in {len(sizes)} chunks of {sizes[0]} bytes")


class CorrelationId(axios_python.Plugin):
    def on_request(self, config: dict[str, Any]) -> dict[str, Any]:
        config["headers"]["X-Correlation-Id"] = "demo-42"
        return config


def _plugin(api: axios_python.AxiosPython) -> None:
    _section("7. A custom plugin")
    api.plugin(CorrelationId())
    response = api.get("/headers")
    print(f"  server saw X-Correlation-Id={response.data.get('X-Correlation-Id')}")
