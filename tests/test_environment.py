"""`trust_env` on every transport, sync and async: proxies from `HTTP_PROXY` / `NO_PROXY`
through a forward proxy the test starts, netrc credentials from a file named by `NETRC`, and
TLS / mutual TLS against a local TLS server with trustme certificates."""

from __future__ import annotations

import asyncio
import http.client
import json
import shutil
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import trustme
from axios_python_testserver import LocalServer

import axios_python
from axios_python import AxiosPython, ConfigError, NetworkError, Response


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy, netrc or CA variable of the machine running the tests leaks in."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "SSL_CERT_DIR"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("NETRC", "/nonexistent/netrc")


def send(api: AxiosPython, mode: str, url: str, **options: Any) -> Response:
    if mode == "sync":
        try:
            return api.get(url, **options)
        finally:
            api.close()

    async def call() -> Response:
        async with api:
            return await api.async_get(url, **options)

    return asyncio.run(call())


# --- a forward proxy ---------------------------------------------------------------------------


class _Proxy(BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self) -> None:
        self.server.seen.append(self.path)  # type: ignore[attr-defined]
        target = http.client.HTTPConnection(self.headers["Host"], timeout=5)
        try:
            path = self.path.split(self.headers["Host"], 1)[-1] or "/"
            target.request("GET", path, headers={"Via": "1.1 test-proxy"})
            upstream = target.getresponse()
            body = upstream.read()
        finally:
            target.close()
        self.send_response(upstream.status)
        self.send_header("Content-Type", upstream.getheader("Content-Type", "text/plain"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def proxy() -> Iterator[ThreadingHTTPServer]:
    """A forward HTTP proxy on 127.0.0.1; `.seen` lists the absolute URLs it was asked for."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Proxy)
    server.daemon_threads = True
    server.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_environment_proxy_is_used(
    proxy: ThreadingHTTPServer,
    server: LocalServer,
    transport: str,
    mode: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_port}")
    api = axios_python.create({"transport": transport})
    response = send(api, mode, f"{server.url}/headers")
    assert response.data["headers"]["Via"] == "1.1 test-proxy"
    assert proxy.seen == [f"{server.url}/headers"]  # type: ignore[attr-defined]


def test_no_proxy_bypasses_the_environment_proxy(
    proxy: ThreadingHTTPServer,
    server: LocalServer,
    transport: str,
    mode: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_port}")
    monkeypatch.setenv("NO_PROXY", "example.com, 127.0.0.1")
    api = axios_python.create({"transport": transport})
    response = send(api, mode, f"{server.url}/headers")
    assert "Via" not in response.data["headers"]
    assert proxy.seen == []  # type: ignore[attr-defined]


def test_trust_env_false_ignores_the_environment_proxy(
    proxy: ThreadingHTTPServer,
    server: LocalServer,
    transport: str,
    mode: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{proxy.server_port}")
    api = axios_python.create({"transport": transport, "trust_env": False})
    send(api, mode, f"{server.url}/get")
    assert proxy.seen == []  # type: ignore[attr-defined]


def test_environment_proxies_mounts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "proxy.test:3128")
    monkeypatch.setenv("NO_PROXY", ".internal.test,10.0.0.0/8,localhost")
    assert axios_python.environment_proxies() == {
        "https://": "http://proxy.test:3128",
        "all://*internal.test": None,
        "all://internal.test": None,
        "all://10.0.0.0/8": None,
        "all://localhost": None,
    }
    monkeypatch.setenv("NO_PROXY", "*")
    assert axios_python.environment_proxies() == {}


# --- netrc -------------------------------------------------------------------------------------


def test_netrc_credentials_are_sent(
    server: LocalServer, transport: str, mode: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1\n  login alice\n  password s3cret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    api = axios_python.create({"base_url": server.url, "transport": transport})
    assert send(api, mode, "/basic-auth/alice/s3cret").data == {
        "authenticated": True,
        "user": "alice",
    }
    # an explicit auth wins; trust_env=False reads no netrc
    api = axios_python.create({"base_url": server.url, "transport": transport})
    assert send(api, mode, "/basic-auth/bob/pw", auth=("bob", "pw")).status_code == 200
    api = axios_python.create({"base_url": server.url, "transport": transport, "trust_env": False})
    assert send(api, mode, "/basic-auth/alice/s3cret").status_code == 401


# --- TLS and mutual TLS ------------------------------------------------------------------------


class _Whoami(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        peer = self.connection.getpeercert()  # type: ignore[attr-defined]
        subject = dict(item[0] for item in peer["subject"]) if peer else None
        body = json.dumps({"client": subject}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class TLS:
    def __init__(self, tmp: Path) -> None:
        self.ca = trustme.CA()
        self.ca_file = tmp / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))
        client = self.ca.issue_cert("alice@example.test", common_name="alice")
        self.cert_file, self.key_file = tmp / "client.pem", tmp / "client-key.pem"
        client.cert_chain_pems[0].write_to_path(str(self.cert_file))
        client.private_key_pem.write_to_path(str(self.key_file))
        self.server_cert = self.ca.issue_cert("127.0.0.1")


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> TLS:
    return TLS(tmp_path_factory.mktemp("tls"))


def _serve_tls(tls: TLS, *, require_client_cert: bool) -> Iterator[str]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.server_cert.configure_cert(context)
    if require_client_cert:
        tls.ca.configure_trust(context)
        context.verify_mode = ssl.CERT_REQUIRED
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Whoami)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.handle_error = lambda request, address: None  # type: ignore[method-assign]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def tls_server(tls: TLS) -> Iterator[str]:
    yield from _serve_tls(tls, require_client_cert=False)


@pytest.fixture
def mtls_server(tls: TLS) -> Iterator[str]:
    yield from _serve_tls(tls, require_client_cert=True)


def test_tls_with_a_ca_file(tls: TLS, tls_server: str, transport: str, mode: str) -> None:
    api = axios_python.create({"transport": transport, "verify": str(tls.ca_file)})
    assert send(api, mode, f"{tls_server}/").data == {"client": None}


def test_tls_with_ssl_cert_file(
    tls: TLS, tls_server: str, transport: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tls.ca_file))
    api = axios_python.create({"transport": transport})
    assert send(api, mode, f"{tls_server}/").status_code == 200


def test_tls_refuses_an_unknown_ca(tls_server: str, transport: str, mode: str) -> None:
    api = axios_python.create({"transport": transport})
    with pytest.raises(NetworkError):
        send(api, mode, f"{tls_server}/")


def test_mutual_tls(tls: TLS, mtls_server: str, transport: str, mode: str) -> None:
    """verify=<CA path> and cert=(cert, key) together: the client certificate is presented
    (httpx 0.28 dropped it when given verify as a str), without a DeprecationWarning."""
    api = axios_python.create(
        {
            "transport": transport,
            "verify": str(tls.ca_file),
            "cert": (str(tls.cert_file), str(tls.key_file)),
        }
    )
    assert send(api, mode, f"{mtls_server}/").data["client"]["commonName"] == "alice"


def test_mutual_tls_without_a_client_cert_fails(
    tls: TLS, mtls_server: str, transport: str, mode: str
) -> None:
    api = axios_python.create({"transport": transport, "verify": str(tls.ca_file)})
    with pytest.raises(NetworkError):
        send(api, mode, f"{mtls_server}/")


def test_ssl_context_is_one_context(tls: TLS) -> None:
    context = axios_python.ssl_context(
        str(tls.ca_file), (str(tls.cert_file), str(tls.key_file)), trust_env=False
    )
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert axios_python.ssl_context(False).verify_mode == ssl.CERT_NONE


@pytest.fixture(scope="module")
def ca_dir(tls: TLS, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of hashed CA certificates, as `c_rehash` / `openssl rehash` lays it out."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to hash a CA directory")
    folder = tmp_path_factory.mktemp("cadir")
    subject_hash = subprocess.run(
        [openssl, "x509", "-hash", "-noout", "-in", str(tls.ca_file)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    shutil.copy(tls.ca_file, folder / f"{subject_hash}.0")
    return folder


def test_mutual_tls_with_a_ca_directory(
    tls: TLS, ca_dir: Path, mtls_server: str, transport: str, mode: str
) -> None:
    api = axios_python.create(
        {
            "transport": transport,
            "verify": str(ca_dir),
            "cert": (str(tls.cert_file), str(tls.key_file)),
        }
    )
    assert send(api, mode, f"{mtls_server}/").data["client"]["commonName"] == "alice"


def test_tls_with_ssl_cert_dir(
    ca_dir: Path, tls_server: str, transport: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSL_CERT_DIR", str(ca_dir))
    api = axios_python.create({"transport": transport})
    assert send(api, mode, f"{tls_server}/").status_code == 200
    # an empty directory trusts nothing: the directory really is what verified the server
    monkeypatch.setenv("SSL_CERT_DIR", str(ca_dir.parent))
    with pytest.raises(NetworkError):
        send(axios_python.create({"transport": transport}), mode, f"{tls_server}/")


def test_socks_proxy_from_the_environment_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, transport: str, mode: str
) -> None:
    """A SOCKS proxy in ALL_PROXY, without socksio (httpx) or on a transport without SOCKS
    support: a ConfigError naming the variable, never a bare ImportError or the SOCKS URL
    taken for an HTTP proxy."""
    monkeypatch.setenv("ALL_PROXY", "socks5://127.0.0.1:9")
    monkeypatch.setitem(sys.modules, "socksio", None)  # as if not installed
    expected = r"axios-python\[socks\]" if transport == "httpx" else r"http\(s\) proxies only"
    with pytest.raises(ConfigError, match=rf"ALL_PROXY=socks5://127.0.0.1:9.*{expected}"):
        send(axios_python.create({"transport": transport}), mode, "http://127.0.0.1:9/")
