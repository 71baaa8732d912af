"""What a client takes from its environment under `trust_env`, built once per client and shared
by every transport: one `ssl.SSLContext`, the proxies of `HTTP(S)_PROXY` / `ALL_PROXY` /
`NO_PROXY`, and the credentials of a netrc file.

Transports get finished objects (an `SSLContext`, a proxy map) rather than httpx's `verify=str`
and `cert=` arguments, which httpx 0.28 deprecates (and with `verify=str` it drops `cert`).
"""

from __future__ import annotations

import base64
import importlib.util
import ipaddress
import os
import ssl
import sys
import urllib.request
from collections.abc import Callable
from typing import Generic, TypeVar

import httpx

from ._exceptions import ConfigError

__all__ = [
    "ProxyEnvironment",
    "environment_proxies",
    "missing",
    "netrc_credentials",
    "proxy_parts",
    "ssl_context",
]

T = TypeVar("T")
# no_proxy matching on the environment variables only (the stubs do not declare it)
_proxy_bypass: Callable[[str], bool] = getattr(
    urllib.request, "proxy_bypass_environment", urllib.request.proxy_bypass
)


def ssl_context(
    verify: ssl.SSLContext | str | bool = True,
    cert: str | tuple[str, str] | tuple[str, str, str] | None = None,
    *,
    trust_env: bool = True,
) -> ssl.SSLContext:
    """The one `ssl.SSLContext` of a client's `verify`, `cert` and `trust_env` options.

    `verify`: True (the system's defaults: certifi's bundle, or `SSL_CERT_FILE` /
    `SSL_CERT_DIR` under `trust_env`), False (no verification), a CA bundle file or a directory
    of hashed CA certificates (`c_rehash`), or a context of your own (used as is, `cert`
    loaded into it). `cert`: a PEM file holding certificate and key, or `(certfile, keyfile)`,
    or `(certfile, keyfile, password)`.
    """
    if isinstance(verify, ssl.SSLContext):
        context = verify
    elif verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    elif isinstance(verify, str):
        context = _context_for(verify)
    else:
        env_file = os.environ.get("SSL_CERT_FILE") if trust_env else None
        env_dir = os.environ.get("SSL_CERT_DIR") if trust_env else None
        if env_file and os.path.isfile(env_file):
            context = _context_for(env_file)
        elif env_dir and os.path.isdir(env_dir):
            context = _context_for(env_dir)
        else:
            import certifi

            context = ssl.create_default_context(cafile=certifi.where())
    if cert is not None:
        if isinstance(cert, str):
            context.load_cert_chain(cert)
        else:
            context.load_cert_chain(*cert)
    return context


def _context_for(path: str) -> ssl.SSLContext:
    if os.path.isdir(path):
        return ssl.create_default_context(capath=path)
    return ssl.create_default_context(cafile=path)


def environment_proxies() -> dict[str, str | None]:
    """The proxies the environment asks for, as httpx mount patterns: `{"http://": url,
    "all://*example.com": None, ...}` (None: connect directly), from `HTTP_PROXY`,
    `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY` (lower case wins, as in urllib and httpx).

    `NO_PROXY` holds host names (`example.com` also covers its subdomains), IP addresses,
    `localhost`, or `*` (no proxy at all).
    """
    env = urllib.request.getproxies_environment()
    mounts: dict[str, str | None] = {}
    for scheme in ("http", "https", "all"):
        url = env.get(scheme)
        if url:
            _check_proxy_scheme(scheme, url)
            mounts[f"{scheme}://"] = url if "://" in url else f"http://{url}"
    for host in (part.strip() for part in env.get("no", "").split(",")):
        if not host:
            continue
        if host == "*":
            return {}
        if _is_ip(host) or host.lower() == "localhost":
            mounts[f"all://{host}"] = None
        else:  # "example.com", ".example.com", "*.example.com": the host and its subdomains
            mounts[f"all://*{host.lstrip('*').lstrip('.')}"] = None
            mounts[f"all://{host.lstrip('*').lstrip('.')}"] = None
    return mounts


def _check_proxy_scheme(scheme: str, url: str) -> None:
    """A SOCKS proxy named by the environment needs socksio: say so, and which variable."""
    if url.lower().startswith("socks") and missing("socksio"):
        raise ConfigError(
            f"{scheme.upper()}_PROXY={url} is a SOCKS proxy, which needs the socksio package: "
            "pip install 'axios-python[socks]' (or unset it, or set trust_env=False)",
            key="trust_env",
        )


def proxy_parts(
    proxy: str | httpx.URL | httpx.Proxy, *, transport: str
) -> tuple[str, dict[str, str]]:
    """An http(s) proxy as a transport not built on httpx takes it: its URL without
    credentials, and the headers to send it (its own, and `Proxy-Authorization` from the
    URL's credentials). Another scheme (socks) is a `ConfigError` naming `transport`."""
    if not isinstance(proxy, httpx.Proxy):
        proxy = httpx.Proxy(proxy)
    if proxy.url.scheme not in ("http", "https"):
        raise ConfigError(
            f"the {transport} transport supports http(s) proxies only, not {proxy.url.scheme}://",
            key="proxy",
        )
    headers = dict(proxy.headers)
    if proxy.auth:
        headers.setdefault("Proxy-Authorization", _basic(*proxy.auth))
    return str(proxy.url.copy_with(username=None, password=None)), headers


def _made(make: Callable[[str], T], scheme: str, url: str) -> T:
    """`make(url)` for a proxy variable; a refusal names the variable (the caller never
    passed this proxy: a SOCKS URL must not be taken for an HTTP proxy, nor fail unexplained)."""
    try:
        return make(url)
    except ConfigError as exc:
        raise ConfigError(
            f"{scheme.upper()}_PROXY={url}: {exc} (unset it, or set trust_env=False)",
            key="trust_env",
        ) from None


class ProxyEnvironment(Generic[T]):
    """The proxies of `HTTP_PROXY`, `HTTPS_PROXY` and `ALL_PROXY`, read once (looking them up
    per request is slow), each made by `make(url)` into what a transport sends through; and
    `NO_PROXY`, checked per URL by `for_url`. Empty (false) without `trust_env`."""

    def __init__(self, make: Callable[[str], T], *, trust_env: bool = True) -> None:
        env = urllib.request.getproxies_environment() if trust_env else {}
        self.proxies: dict[str, T] = {
            scheme: _made(make, scheme, url)
            for scheme, url in env.items()
            if scheme in ("http", "https", "all")
        }

    def __bool__(self) -> bool:
        return bool(self.proxies)

    def for_url(self, url: httpx.URL) -> T | None:
        """The proxy for `url`, or None: connect directly."""
        if _proxy_bypass(url.host):
            return None
        return self.proxies.get(url.scheme) or self.proxies.get("all")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_network(host.strip("[]"), strict=False)
    except ValueError:
        return False
    return True


def netrc_credentials(path: str | None = None) -> dict[str, str]:
    """`Authorization` values by host from a netrc file (`NETRC`, else `~/.netrc`), as requests
    reads it under `trust_env`; {} when there is none or it does not parse."""
    import netrc

    if path is None:
        path = os.environ.get("NETRC") or os.path.join(os.path.expanduser("~"), ".netrc")
    if not os.path.isfile(path):
        return {}
    try:
        hosts = netrc.netrc(path).hosts
    except (OSError, netrc.NetrcParseError):
        return {}
    return {host: _basic(login, password or "") for host, (login, _, password) in hosts.items()}


def _basic(login: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode("ascii")


def missing(module: str) -> bool:
    """True when `module` cannot be imported (looked up without importing it)."""
    if module in sys.modules:
        return sys.modules[module] is None
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):
        return True


def accept_encoding() -> str:
    """The encodings httpx can decode here: br and zstd only when their decoder is installed."""
    encodings = ["gzip", "deflate"]
    if not (missing("brotli") and missing("brotlicffi")):
        encodings.append("br")
    if not missing("zstandard"):
        encodings.append("zstd")
    return ", ".join(encodings)
