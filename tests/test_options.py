"""Options that shape a whole call, through the local server, on every transport and in both
modes: the `total` timeout, `transform_request` / `transform_response`, `response_model`."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import threading
import time
from typing import Any

import pytest
from axios_python_testserver import LocalServer
from pydantic import BaseModel

import axios_python
from axios_python import (
    AxiosPython,
    CancelError,
    ConfigError,
    FixedBackoff,
    Response,
    ResponseValidationError,
    TimeoutError,
)

MARGIN = 0.5  # seconds of scheduling slack on a loaded machine


def client(server: LocalServer, transport: str, **config: Any) -> AxiosPython:
    return axios_python.create({"base_url": server.url, "transport": transport, **config})


def send(api: AxiosPython, mode: str, method: str, url: str, **options: Any) -> Response:
    if mode == "sync":
        return api.request(method, url, **options)

    async def call() -> Response:
        try:
            return await api.async_request(method, url, **options)
        finally:
            await api.aclose()

    return asyncio.run(call())


# --- timeout={"total": s} --------------------------------------------------------------------


def test_total_timeout_bounds_a_trickling_body(
    server: LocalServer, transport: str, mode: str
) -> None:
    """/drip sends 10 bytes over 3 s, each within the read timeout: only `total` stops it, at
    about 1 s, with TimeoutError(phase="total")."""
    api = client(server, transport)
    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        send(api, mode, "GET", "/drip?numbytes=10&duration=3", timeout={"total": 1, "read": 5})
    took = time.monotonic() - started
    assert info.value.phase == "total"
    assert info.value.code == "ETIMEDOUT"
    assert isinstance(info.value, builtins_timeout())
    assert 1.0 <= took < 1.0 + MARGIN
    api.close()


def builtins_timeout() -> type[BaseException]:
    import builtins

    return builtins.TimeoutError


TRICKLE = "/drip?numbytes=3&duration=2.85"  # one byte at once, then one every 0.95 s


def test_total_timeout_ends_a_call_at_the_deadline(
    server: LocalServer, transport: str, mode: str
) -> None:
    """A body that trickles one byte per 0.95 s, each read within the read timeout (cut to the
    1 s left when the attempt starts): a call with total=1 ends at about 1 s, not when the
    read blocked at 1 s returns (1.9 s); the pool serves the next request."""
    api = client(server, transport)
    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        send(api, mode, "GET", TRICKLE, timeout={"total": 1, "read": 5})
    took = time.monotonic() - started
    assert info.value.phase == "total"
    assert took < 1.5
    if mode == "sync":  # the async helper closed the client
        assert api.get("/get").status_code == 200
    api.close()


def test_total_timeout_keeps_the_callers_cancel(
    server: LocalServer, transport: str, mode: str
) -> None:
    """A cancel of the caller's token during a call with a total timeout is a CancelError,
    with the caller's reason; the error's config holds the caller's token."""
    token = axios_python.CancelToken()
    api = client(server, transport)
    timer = threading.Timer(0.3, token.cancel, kwargs={"reason": "user left"})
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(CancelError) as info:
            send(api, mode, "GET", TRICKLE, timeout={"total": 3, "read": 5}, cancel_token=token)
    finally:
        timer.cancel()
    assert time.monotonic() - started < 1.5
    assert "user left" in str(info.value)
    assert info.value.config is not None
    assert info.value.config["cancel_token"] is token
    if mode == "sync":
        assert api.get("/get").status_code == 200
    api.close()


def test_total_timeout_leaves_a_streamed_body_cancellable(
    server: LocalServer, transport: str
) -> None:
    """stream=True with a total timeout: the caller's token still aborts the body's reads
    after the call returned (the deadline no longer does)."""
    token = axios_python.CancelToken()
    api = client(server, transport)
    response = api.get(TRICKLE, timeout={"total": 3, "read": 5}, stream=True, cancel_token=token)
    timer = threading.Timer(0.3, token.cancel, kwargs={"reason": "enough"})
    timer.start()
    started = time.monotonic()
    try:
        with pytest.raises(CancelError, match="enough"):
            for _ in response.iter_bytes():
                pass
    finally:
        timer.cancel()
        response.close()
    assert time.monotonic() - started < 1.5
    assert api.get("/get").status_code == 200
    api.close()


def test_total_timeout_bounds_retries(server: LocalServer, transport: str, mode: str) -> None:
    """Retries of a 503 stop at the total deadline: no retry starts that would end past it."""
    retries: list[int] = []
    api = client(
        server,
        transport,
        max_retries=10,
        retry_strategy=FixedBackoff(0.3, retry_on_status=[503]),
        on_retry=lambda attempt, outcome, delay: retries.append(attempt),
        validate_status=lambda status: status < 400,
    )
    started = time.monotonic()
    with pytest.raises(TimeoutError) as info:
        send(api, mode, "GET", "/status/503", timeout={"total": 0.8})
    assert info.value.phase == "total"
    assert time.monotonic() - started < 0.8 + MARGIN
    assert retries == [1, 2]  # 0.3 + 0.3 fit in 0.8 s, a third 0.3 s wait does not
    api.close()


def test_total_timeout_leaves_a_fast_call_alone(
    server: LocalServer, transport: str, mode: str
) -> None:
    """A body that arrives in time is read in full; the config keeps the user's callback."""
    seen: list[int] = []
    api = client(server, transport, timeout={"total": 5})
    response = send(
        api,
        mode,
        "GET",
        "/drip?numbytes=10&duration=0.2",
        on_download_progress=lambda event: seen.append(event.loaded),
    )
    assert response.content == b"*" * 10
    assert seen
    assert seen[-1] == 10
    assert response.config["timeout"] == {"total": 5}
    api.close()


def test_total_timeout_on_a_streamed_body_bounds_the_headers_only(
    server: LocalServer, transport: str
) -> None:
    """stream=True: `total` bounds the call up to the response; the body is the caller's."""
    api = client(server, transport)
    with api.get("/drip?numbytes=4&duration=0.6", timeout={"total": 0.3}, stream=True) as r:
        assert r.read() == b"*" * 4
    api.close()


# --- transform_request / transform_response --------------------------------------------------


def test_transforms_run_in_order_between_interceptors(
    server: LocalServer, transport: str, mode: str
) -> None:
    """axios order: request interceptors, transform_request (client's replaced by the request's),
    the exchange, transform_response, response interceptors."""
    order: list[str] = []

    def add_b(data: Any, headers: Any) -> Any:
        order.append("transform_request 1")
        headers["X-Transformed"] = "yes"
        return {**data, "b": 2}

    def to_text(data: Any) -> Any:
        order.append("transform_request 2")
        return f'{{"text": {data["b"]}}}'.encode()

    def unwrap(data: Any) -> Any:
        order.append("transform_response 1")
        return data["json"]

    def with_type(data: Any, headers: Any) -> Any:
        order.append("transform_response 2")
        return {**data, "type": headers["content-type"]}

    api = client(server, transport, transform_response=lambda data: "client default")

    def on_request(config: dict[str, Any]) -> dict[str, Any]:
        order.append("request interceptor")
        config["json"] = {**config["json"], "a": 1}
        return config

    def on_response(response: Response) -> Response:
        order.append(f"response interceptor sees {response.data}")
        return response

    api.interceptors.request.use(on_request)
    api.interceptors.response.use(on_response)
    response = send(
        api,
        mode,
        "POST",
        "/post",
        json={},
        headers={"Content-Type": "application/json"},
        transform_request=[add_b, to_text],
        transform_response=[unwrap, with_type],
    )
    assert response.data == {"text": 2, "type": "application/json"}
    assert order == [
        "request interceptor",
        "transform_request 1",
        "transform_request 2",
        "transform_response 1",
        "transform_response 2",
        "response interceptor sees {'text': 2, 'type': 'application/json'}",
    ]
    api.close()


def test_client_level_transforms(server: LocalServer, transport: str, mode: str) -> None:
    """Given to create(), a single function (not a list) applies to every request."""
    api = client(
        server,
        transport,
        transform_request=lambda data: {"wrapped": data},
        transform_response=lambda data: data["json"],
    )
    assert send(api, mode, "POST", "/post", json=[1, 2]).data == {"wrapped": [1, 2]}
    api.close()


def test_transform_response_also_sees_error_bodies(server: LocalServer, mode: str) -> None:
    """As in axios, the body of a rejected response is transformed too."""
    api = axios_python.create({"base_url": server.url, "validate_status": lambda s: s < 400})
    with pytest.raises(axios_python.HTTPStatusError) as info:
        send(api, mode, "GET", "/status/418", transform_response=lambda data: ("seen", data))
    assert info.value.response.data[0] == "seen"
    api.close()


def test_transform_options_are_validated() -> None:
    with pytest.raises(ConfigError, match="transform_request"):
        axios_python.create({"transform_request": "upper"})


# --- response_model --------------------------------------------------------------------------


class Slide(BaseModel):
    title: str
    type: str


class Slideshow(BaseModel):
    author: str
    slides: list[Slide]


class Document(BaseModel):
    slideshow: Slideshow


def test_response_model_validates_data(server: LocalServer, transport: str, mode: str) -> None:
    api = client(server, transport)
    response = send(api, mode, "GET", "/json", response_model=Document)
    assert isinstance(response.data, Document)
    assert response.data.slideshow.slides[0].title == "Wake up to WonderWidgets!"
    api.close()


def test_response_model_mismatch_carries_the_response(
    server: LocalServer, transport: str, mode: str
) -> None:
    api = client(server, transport)
    with pytest.raises(ResponseValidationError) as info:
        send(api, mode, "GET", "/json", response_model=list[Slide])
    error = info.value
    assert isinstance(error, axios_python.AxiosPythonError)
    assert error.code == "ERR_BAD_RESPONSE"
    assert error.response is not None
    assert error.response.status_code == 200
    assert "slideshow" in error.response.data  # the body as received
    assert error.errors[0]["type"] == "list_type"
    assert "does not match list[" in str(error)
    api.close()


def test_response_model_runs_after_transform_response(server: LocalServer, mode: str) -> None:
    api = axios_python.create({"base_url": server.url})
    response = send(
        api,
        mode,
        "GET",
        "/json",
        transform_response=lambda data: data["slideshow"]["slides"],
        response_model=list[Slide],
    )
    assert [slide.type for slide in response.data] == ["all", "all"]
    api.close()


def test_response_model_that_pydantic_cannot_use_is_a_config_error() -> None:
    api = axios_python.create()
    with pytest.raises(ConfigError, match="response_model"):
        api.get("http://127.0.0.1:1/", response_model=object())  # type: ignore[arg-type]


def test_response_model_is_typed(server: LocalServer) -> None:
    """What type checkers see (mypy checks this file's annotations in the docs test too)."""
    api = axios_python.create({"base_url": server.url})
    typed: Response[Document] = api.get("/json", response_model=Document)
    plain: Response = api.get("/json")
    assert typed.data.slideshow.author == plain.data["slideshow"]["author"]
    api.close()


# --- extras: http2, socks, brotli, zstd -------------------------------------------------------


def test_http2_without_h2_is_refused_at_create(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "h2", None)  # as if not installed
    with pytest.raises(ConfigError, match=r"pip install 'axios-python\[http2\]'") as info:
        axios_python.create({"http2": True})
    assert info.value.key == "http2"


def test_socks_proxy_without_socksio_is_refused_at_create(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "socksio", None)
    with pytest.raises(ConfigError, match=r"pip install 'axios-python\[socks\]'") as info:
        axios_python.create({"proxy": "socks5://127.0.0.1:1080"})
    assert info.value.key == "proxy"


def test_http2_with_h2_is_accepted(server: LocalServer) -> None:
    """With the extra installed: a plain-HTTP server still answers (HTTP/1.1, no upgrade)."""
    pytest.importorskip("h2")
    with axios_python.create({"base_url": server.url, "http2": True}) as api:
        assert api.get("/get").http_version == "HTTP/1.1"


def test_accept_encoding_offers_only_what_can_be_decoded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from axios_python._environment import accept_encoding

    for module in ("brotli", "brotlicffi", "zstandard"):
        monkeypatch.setitem(sys.modules, module, None)
    assert accept_encoding() == "gzip, deflate"
    monkeypatch.delitem(sys.modules, "zstandard")
    if importlib.util.find_spec("zstandard") is not None:
        assert accept_encoding() == "gzip, deflate, zstd"


def test_accept_encoding_is_sent(server: LocalServer, transport: str, mode: str) -> None:
    api = client(server, transport)
    sent = send(api, mode, "GET", "/headers").data["headers"]["Accept-Encoding"]
    expected = ["gzip", "deflate"]
    if importlib.util.find_spec("brotli") or importlib.util.find_spec("brotlicffi"):
        expected.append("br")
    if importlib.util.find_spec("zstandard"):
        expected.append("zstd")
    assert sent == ", ".join(expected)
    api.close()
