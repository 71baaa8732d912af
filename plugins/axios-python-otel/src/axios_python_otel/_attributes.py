"""The OpenTelemetry HTTP client semantic conventions (stable, v1.2x+), as pure functions.

Names from https://opentelemetry.io/docs/specs/semconv/http/http-spans/ and
https://opentelemetry.io/docs/specs/semconv/http/http-metrics/. Nothing here touches the
OpenTelemetry API; `url_full` is the only place a URL becomes an attribute, so it is the one
place secrets are removed.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import httpx

from axios_python.redaction import DEFAULT_SENSITIVE_PARAMS

__all__ = [
    "DEFAULT_REDACT_PARAMS",
    "DURATION_BUCKETS",
    "REDACTED",
    "UrlRedactor",
    "error_type",
    "known_method",
    "protocol_version",
    "server_port",
]

REDACTED = "REDACTED"

# The query parameters the conventions name (AWSAccessKeyId, Signature, sig,
# X-Goog-Signature) and cloud signatures, plus the core's sensitive parameters
# (axios_python.redaction); globs, case-insensitive.
DEFAULT_REDACT_PARAMS: tuple[str, ...] = (
    "awsaccesskeyid",
    "signature",
    "sig",
    "x-goog-signature",
    "x-amz-signature",
    "x-amz-credential",
    "x-amz-security-token",
    *(name for name in DEFAULT_SENSITIVE_PARAMS if name != "sig"),  # the core's policy
)

# The advised boundaries of http.client.request.duration, in seconds.
DURATION_BUCKETS: tuple[float, ...] = (
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
)  # fmt: skip

_KNOWN_METHODS = frozenset(
    {"CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE", "QUERY"}
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CACHE_SIZE = 1024


def known_method(method: str) -> str:
    """`http.request.method`: the method if the conventions know it, else `_OTHER`."""
    return method if method in _KNOWN_METHODS else "_OTHER"


def server_port(url: httpx.URL) -> int | None:
    """`server.port`: the URL's port, or its scheme's default."""
    return url.port or _DEFAULT_PORTS.get(url.scheme)


def protocol_version(http_version: str) -> str | None:
    """`network.protocol.version` from httpx's `"HTTP/1.1"`, `"HTTP/2"`: `"1.1"`, `"2"`."""
    name, _, version = http_version.partition("/")
    return version if name.upper() == "HTTP" and version else None


def error_type(error: BaseException) -> str:
    """`error.type` for an exception: its class's fully-qualified name, with the public
    `axios_python.` prefix for the core's errors (`axios_python.TimeoutError`). The message is
    never used: it may name a URL with secrets in it."""
    cls = type(error)
    module = cls.__module__
    if module.startswith("axios_python.") or module == "axios_python":
        module = "axios_python"
    elif module == "builtins":
        return cls.__qualname__
    return f"{module}.{cls.__qualname__}"


class UrlRedactor:
    """`url.full` for a URL: user info replaced by `REDACTED:REDACTED`, the values of secret
    query parameters by `REDACTED`, the fragment dropped (it is never sent).

    Results are remembered per URL object: clients reuse one `httpx.URL` per URL, so the
    common case is one dict lookup.
    """

    def __init__(self, params: Iterable[str]) -> None:
        if isinstance(params, (str, bytes)):
            raise TypeError("redact_params must be a list of names, not a single string")
        names: set[str] = set()
        globs: list[str] = []
        for param in params:
            if not isinstance(param, str) or not param:
                raise ValueError(f"redact_params entries must be non-empty str, not {param!r}")
            lowered = param.lower()
            if any(c in lowered for c in "*?["):
                globs.append(lowered)
            else:
                names.add(lowered)
        self._names = frozenset(names)
        self._globs = tuple(globs)
        self._secret: dict[str, bool] = {}
        self._cache: dict[int, tuple[httpx.URL, str]] = {}

    def url_full(self, url: httpx.URL) -> str:
        known = self._cache.get(id(url))
        if known is not None and known[0] is url:  # the entry holds the URL: its id is not reused
            return known[1]
        text = self._redact(url)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[id(url)] = (url, text)
        return text

    def is_secret(self, name: str) -> bool:
        lowered = name.lower()
        decision = self._secret.get(lowered)
        if decision is None:
            decision = lowered in self._names or any(
                fnmatch.fnmatchcase(lowered, glob) for glob in self._globs
            )
            if len(self._secret) < _CACHE_SIZE:
                self._secret[lowered] = decision
        return decision

    def _redact(self, url: httpx.URL) -> str:
        changes: dict[str, Any] = {}
        if url.fragment:
            changes["fragment"] = None
        if url.userinfo:
            changes["username"] = REDACTED
            changes["password"] = REDACTED
        query = url.query
        if query:
            pieces = query.split(b"&")
            redacted = False
            for index, piece in enumerate(pieces):
                name, sep, value = piece.partition(b"=")
                if value and self.is_secret(unquote(name.decode("ascii", "replace"))):
                    pieces[index] = name + sep + REDACTED.encode()
                    redacted = True
            if redacted:
                changes["query"] = b"&".join(pieces)
        return str(url.copy_with(**changes) if changes else url)
