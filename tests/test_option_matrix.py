"""Every option x every transport x sync/async: each key of the client and request schemas is
honoured (an observable effect through a real local server), or refused at `create()` with a
`ConfigError` that says why. The keys come from the pydantic schemas, so a new option without a
row here fails `test_every_schema_key_has_a_row`."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from axios_python_testserver import LocalServer
from pydantic import BaseModel

import axios_python
from axios_python import (
    AxiosPython,
    CancelError,
    CancelToken,
    ConfigError,
    FixedBackoff,
    HTTPStatusError,
    ProgressEvent,
    Response,
    RetryError,
    TimeoutError,
    TooManyRedirects,
)
from axios_python._validation import CLIENT_KEYS, REQUEST_KEYS
from tests.test_environment import TLS, _Proxy, _serve_tls


@dataclass
class Case:
    server: LocalServer
    transport: str
    mode: str
    tls: TLS
    monkeypatch: pytest.MonkeyPatch

    def make(self, **config: Any) -> AxiosPython:
        config.setdefault("base_url", self.server.url)
        return axios_python.create({"transport": self.transport, **config})

    def call(self, api: AxiosPython, method: str, url: str, **options: Any) -> Response:
        """One request in this case's mode; the client is closed afterwards."""
        if self.mode == "sync":
            try:
                return api.request(method, url, **options)
            finally:
                api.close()

        async def run() -> Response:
            async with api:
                return await api.async_request(method, url, **options)

        return asyncio.run(run())

    def get(self, url: str, config: dict[str, Any] | None = None, **options: Any) -> Response:
        return self.call(self.make(**(config or {})), "GET", url, **options)

    def post(self, url: str, config: dict[str, Any] | None = None, **options: Any) -> Response:
        return self.call(self.make(**(config or {})), "POST", url, **options)


Row = Callable[[Case], None]
ROWS: dict[str, Row] = {}


def row(*keys: str) -> Callable[[Row], Row]:
    def register(fn: Row) -> Row:
        for key in keys:
            ROWS[key] = fn
        return fn

    return register


# --- request options -----------------------------------------------------------------------


@row("base_url")
def _base_url(case: Case) -> None:
    assert case.get("/get").data["url"] == f"{case.server.url}/get"


@row("timeout")
def _timeout(case: Case) -> None:
    with pytest.raises(TimeoutError):
        case.get("/delay/1", timeout=0.2)


@row("headers")
def _headers(case: Case) -> None:
    response = case.get("/headers", {"headers": {"X-A": "1"}}, headers={"X-B": "2"})
    assert response.data["headers"]["X-A"] == "1"
    assert response.data["headers"]["X-B"] == "2"


@row("params")
def _params(case: Case) -> None:
    assert case.get("/get", {"params": {"a": 1}}, params={"b": "2"}).data["args"] == {
        "a": "1",
        "b": "2",
    }


@row("json")
def _json(case: Case) -> None:
    assert case.post("/post", json={"x": [1]}).data["json"] == {"x": [1]}


@row("data")
def _data(case: Case) -> None:
    assert case.post("/post", data={"f": "v"}).data["form"] == {"f": "v"}


@row("content")
def _content(case: Case) -> None:
    assert case.post("/post", content=b"raw").data["data"] == "raw"


@row("files")
def _files(case: Case) -> None:
    assert case.post("/post", files={"f": ("a.txt", b"hi")}).data["files"]["f"]["text"] == "hi"


@row("cookies")
def _cookies(case: Case) -> None:
    response = case.get("/cookies", {"cookies": {"a": "1"}}, cookies={"b": "2"})
    assert response.data["cookies"] == {"a": "1", "b": "2"}


@row("auth")
def _auth(case: Case) -> None:
    assert case.get("/basic-auth/u/p", auth=("u", "p")).status_code == 200


@row("follow_redirects")
def _follow_redirects(case: Case) -> None:
    assert case.get("/redirect/1", follow_redirects=False).status_code == 302
    assert case.get("/redirect/1").status_code == 200


@row("max_redirects")
def _max_redirects(case: Case) -> None:
    with pytest.raises(TooManyRedirects):
        case.get("/redirect/3", max_redirects=1)
    with pytest.raises(TooManyRedirects):
        case.get("/redirect/3", {"max_redirects": 2})


@row("validate_status")
def _validate_status(case: Case) -> None:
    with pytest.raises(HTTPStatusError):
        case.get("/status/404", validate_status=lambda status: status < 400)


@row("max_retries", "retry_strategy", "on_retry")
def _retries(case: Case) -> None:
    seen: list[int] = []
    with pytest.raises(RetryError):
        case.get(
            "/status/503",
            max_retries=2,
            retry_strategy=FixedBackoff(0, retry_on_status=[503]),
            on_retry=lambda attempt, outcome, delay: seen.append(outcome.status_code),
        )
    assert seen == [503, 503]


@row("retry_deadline")
def _retry_deadline(case: Case) -> None:
    with pytest.raises(RetryError, match="deadline"):
        case.get(
            "/status/503",
            max_retries=5,
            retry_strategy=FixedBackoff(5, retry_on_status=[503]),
            retry_deadline=1,
        )


@row("cancel_token")
def _cancel_token(case: Case) -> None:
    token = CancelToken()
    token.cancel("stop")
    with pytest.raises(CancelError):
        case.get("/get", cancel_token=token)


@row("stream")
def _stream(case: Case) -> None:
    api = case.make()
    if case.mode == "sync":
        with api, api.get("/bytes/100", stream=True) as response:
            assert not response.is_closed  # not read yet
            assert len(response.read()) == 100
        return

    async def run() -> None:
        async with api, await api.async_get("/bytes/100", stream=True) as response:
            assert not response.is_closed
            assert len(await response.aread()) == 100

    asyncio.run(run())


@row("on_upload_progress")
def _on_upload_progress(case: Case) -> None:
    events: list[ProgressEvent] = []
    case.post("/post", content=b"x" * 1000, on_upload_progress=events.append)
    assert events[-1].loaded == 1000


@row("on_download_progress")
def _on_download_progress(case: Case) -> None:
    events: list[ProgressEvent] = []
    case.get("/bytes/1000", on_download_progress=events.append)
    assert events[-1].loaded == 1000


@row("transform_request", "transform_response")
def _transforms(case: Case) -> None:
    response = case.post(
        "/post",
        {"transform_response": lambda data: data["json"]},
        json={"a": 1},
        transform_request=lambda data: {**data, "b": 2},
    )
    assert response.data == {"a": 1, "b": 2}


class _Args(BaseModel):
    args: dict[str, str]


@row("response_model")
def _response_model(case: Case) -> None:
    response = case.get("/get", params={"q": "1"}, response_model=_Args)
    assert response.data == _Args(args={"q": "1"})
    with pytest.raises(ConfigError, match=r"only be set|unknown config key 'response_model'"):
        case.make(response_model=_Args)  # per request only: it types one call's response


# --- client-only options -------------------------------------------------------------------


@contextlib.contextmanager
def _tls_server(case: Case, *, mutual: bool) -> Iterator[tuple[TLS, str]]:
    with contextlib.contextmanager(_serve_tls)(case.tls, require_client_cert=mutual) as url:
        yield case.tls, url


@row("verify")
def _verify(case: Case) -> None:
    with _tls_server(case, mutual=False) as (tls, url):
        assert case.get(url, {"verify": str(tls.ca_file)}).status_code == 200
        assert case.get(url, {"verify": False}).status_code == 200
    with pytest.raises(ConfigError, match="no such file"):
        case.make(verify="/nonexistent/ca.pem")


@row("cert")
def _cert(case: Case) -> None:
    with _tls_server(case, mutual=True) as (tls, url):
        config = {"verify": str(tls.ca_file), "cert": (str(tls.cert_file), str(tls.key_file))}
        assert case.get(url, config).data["client"]["commonName"] == "alice"


@contextlib.contextmanager
def _forward_proxy() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    server.daemon_threads = True
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@row("proxy")
def _proxy(case: Case) -> None:
    with _forward_proxy() as proxy:
        config = {"proxy": f"http://127.0.0.1:{proxy.server_port}"}
        assert case.get("/headers", config).data["headers"]["Via"] == "1.1 test-proxy"
    if case.transport == "aiohttp":
        with pytest.raises(ConfigError, match="http\\(s\\) proxies only"):
            case.make(proxy="socks5://127.0.0.1:1080")


@row("trust_env")
def _trust_env(case: Case) -> None:
    for name in ("http_proxy", "no_proxy", "all_proxy", "NO_PROXY", "ALL_PROXY"):
        case.monkeypatch.delenv(name, raising=False)
    with _forward_proxy() as proxy:
        case.monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_port}")
        assert "Via" in case.get("/headers").data["headers"]
        assert "Via" not in case.get("/headers", {"trust_env": False}).data["headers"]


@row("http2")
def _http2(case: Case) -> None:
    if case.transport in ("aiohttp", "urllib3"):
        with pytest.raises(ConfigError, match=r"HTTP/1\.1 only"):
            case.make(http2=True)
        return
    pytest.importorskip("h2")
    assert case.get("/get", {"http2": True}).status_code == 200


@row("limits")
def _limits(case: Case) -> None:
    """One connection: a second concurrent request waits for it, past its pool timeout."""
    api = case.make(limits=httpx.Limits(max_connections=1))
    timeout = {"connect": 0.1, "pool": 0.1, "read": 5}
    if case.mode == "sync":
        with api, ThreadPoolExecutor(2) as pool:
            slow = pool.submit(api.get, "/delay/0.6")
            errors: list[BaseException] = []
            try:
                threading.Event().wait(0.2)
                api.get("/get", timeout=timeout)
            except TimeoutError as exc:
                errors.append(exc)
            assert slow.result().status_code == 200
        assert errors
        return

    async def run() -> None:
        async with api:
            slow = asyncio.ensure_future(api.async_get("/delay/0.6"))
            await asyncio.sleep(0.2)
            with pytest.raises(TimeoutError):
                await api.async_get("/get", timeout=timeout)
            assert (await slow).status_code == 200

    asyncio.run(run())


@row("transport")
def _transport(case: Case) -> None:
    api = case.make()
    expected = {"httpx": "HttpxTransport", "aiohttp": "AiohttpTransport"}.get(
        case.transport, "Urllib3Transport"
    )
    assert type(api.transport).__name__ == expected
    api.close()
    with pytest.raises(ConfigError):
        case.make(transport="no-such-transport")


class _Stamp:
    @axios_python.hookimpl
    def on_request(self, config: dict[str, Any]) -> None:
        config["headers"]["X-Stamp"] = "1"


@row("plugins")
def _plugins(case: Case) -> None:
    assert case.get("/headers", {"plugins": [_Stamp()]}).data["headers"]["X-Stamp"] == "1"
    with pytest.raises(ConfigError):
        case.make(plugins=[object()])


# --- secrets and bounds (issue 13), activation (issue 14) ----------------------------------


@row("max_content_length")
def _max_content_length(case: Case) -> None:
    with pytest.raises(axios_python.ContentTooLargeError):
        case.get("/bytes/4096", max_content_length=1024)
    assert len(case.get("/bytes/1024", max_content_length=1024).content) == 1024


@row("max_body_length")
def _max_body_length(case: Case) -> None:
    with pytest.raises(axios_python.ContentTooLargeError):
        case.post("/post", content=b"x" * 100, max_body_length=10)
    assert case.post("/post", content=b"x" * 10, max_body_length=10).status_code == 200


@row("keep_sensitive_headers_on_redirect")
def _keep_sensitive_headers_on_redirect(case: Case) -> None:
    with LocalServer() as other:
        target = f"/redirect-to?url={other.url}/headers"
        headers = {"X-Api-Key": "k-SECRET"}
        dropped = case.get(target, headers=headers).data["headers"]
        kept = case.get(target, {"keep_sensitive_headers_on_redirect": True}, headers=headers)
    assert "X-Api-Key" not in dropped
    assert kept.data["headers"]["X-Api-Key"] == "k-SECRET"


@row("redact")
def _redact(case: Case) -> None:
    policy = axios_python.redaction.Redactor().extend(params=["order"])
    with pytest.raises(axios_python.HTTPStatusError) as info:
        case.get(
            "/status/404",
            {"redact": policy},
            params={"order": "o-SECRET"},
            validate_status=lambda status: status < 400,
        )
    assert "o-SECRET" not in str(info.value)


@row("autoload")
def _autoload(case: Case) -> None:
    case.monkeypatch.setenv("AXIOS_PYTHON_PLUGINS", "hello")
    assert "X-Greeting" in case.get("/headers").data["headers"]
    assert "X-Greeting" not in case.get("/headers", {"autoload": False}).data["headers"]


# --- the matrix ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> TLS:
    return TLS(tmp_path_factory.mktemp("tls"))


def test_every_schema_key_has_a_row() -> None:
    assert set(ROWS) == CLIENT_KEYS | REQUEST_KEYS


@pytest.mark.parametrize("key", sorted(ROWS))
def test_option(
    key: str,
    server: LocalServer,
    transport: str,
    mode: str,
    certificates: TLS,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ROWS[key](Case(server, transport, mode, certificates, monkeypatch))


def test_ssl_context_is_what_every_transport_gets() -> None:
    assert isinstance(axios_python.ssl_context(), ssl.SSLContext)
