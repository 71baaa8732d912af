"""Cache keys, computed without I/O: the normalised URL, the credentials fingerprint, Vary values.

An entry is stored under `"<METHOD> <normalised URL>"`; inside that record, variants are told
apart by the credentials fingerprint and by the values of the request headers named in the
response's `Vary`. The normalised URL is `scheme://host[:port]/path?query` with the query
parameters sorted by name (the order of repeated names is kept), percent-encoding made uniform,
the fragment dropped, and any `user:password@` moved into the credentials.

Both ends of the pipeline compute the same key: the plugin's middleware from the request config
(before the request is built, memoised so a hit does not parse URLs), and `on_transport` from the
final `httpx.Request`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode

import httpx

from axios_python import ConfigError, HeaderItems, header_items, resolve_url
from axios_python.redaction import redactor_for

__all__ = [
    "SCANNED_HEADERS",
    "HeaderList",
    "UrlKeys",
    "credential",
    "header_list",
    "header_value",
    "normalize_url",
    "scan_headers",
    "secret_headers",
    "vary_matches",
]

HeaderList = HeaderItems  # (raw name, lowercased name, value)
UrlKey = tuple[str, bytes]  # (normalised URL, userinfo)
SCANNED_HEADERS = {b"authorization": 0, b"cookie": 1, b"cache-control": 2, b"pragma": 3}
_MEMO_SIZE = 4096
T = TypeVar("T")
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_url(url: httpx.URL) -> UrlKey:
    """`(normalised URL, userinfo)` of an absolute URL (see the module docstring)."""
    raw_path, _, query = url.raw_path.partition(b"?")
    scheme = url.scheme.lower()
    host = url.raw_host.decode("ascii").lower()
    if ":" in host:
        host = f"[{host}]"
    port = url.port
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    text = f"{scheme}://{host}{raw_path.decode('ascii') or '/'}"
    if query:
        pairs = parse_qsl(query.decode("ascii"), keep_blank_values=True)
        pairs.sort(key=lambda pair: pair[0])  # stable: repeated names keep their order
        text += "?" + urlencode(pairs)
    return text, url.userinfo


class UrlKeys:
    """Memoised `normalize_url` for request configs and for built requests."""

    def __init__(self) -> None:
        self._from_config: dict[Any, UrlKey | None] = {}
        self._from_url: dict[httpx.URL, UrlKey] = {}

    def from_config(self, base_url: Any, url: Any, params: Any) -> UrlKey | None:
        """The key of `base_url` + `url` + `params` as the core would build it; None if invalid."""
        if not params:
            memo: Any = (base_url, url)
        elif isinstance(params, dict):
            memo = (base_url, url, tuple(params.items()))
        elif isinstance(params, (str, bytes, httpx.QueryParams)):
            memo = (base_url, url, params)
        elif isinstance(params, (list, tuple)):
            memo = (base_url, url, tuple(params))
        else:
            return self._compute(base_url, url, params)
        try:
            return self._from_config[memo]
        except KeyError:
            pass
        except TypeError:  # unhashable parameter values (lists): compute, do not memoise
            return self._compute(base_url, url, params)
        return _remember(self._from_config, memo, self._compute(base_url, url, params))

    @staticmethod
    def _compute(base_url: Any, url: Any, params: Any) -> UrlKey | None:
        try:
            return normalize_url(resolve_url(url, base_url, params))
        except (ConfigError, httpx.InvalidURL, TypeError, ValueError, UnicodeError):
            return None  # let the pipeline raise its own error for this request

    def from_url(self, url: httpx.URL) -> UrlKey:
        try:
            return self._from_url[url]
        except KeyError:
            return _remember(self._from_url, url, normalize_url(url))


def _remember(memo: dict[Any, T], key: Any, value: T) -> T:
    """Memoise `value` under `key`; a full memo starts over (bounded memory, no LRU cost)."""
    if len(memo) >= _MEMO_SIZE:
        memo.clear()
    memo[key] = value
    return value


def header_list(headers: Any) -> HeaderList:
    """The `(raw name, lowercased name, value)` triples of `headers`, without copying them."""
    if not isinstance(headers, httpx.Headers):
        headers = httpx.Headers(headers)
    return header_items(headers)


def scan_headers(
    headers: HeaderList,
) -> tuple[bytes | None, bytes | None, bytes | None, bytes | None]:
    """`(authorization, cookie, cache-control, pragma)` values, in one pass over the headers."""
    found: list[bytes | None] = [None, None, None, None]
    for _, name, value in headers:
        index = SCANNED_HEADERS.get(name)
        if index is not None:
            previous = found[index]
            found[index] = value if previous is None else previous + b", " + value
    return found[0], found[1], found[2], found[3]


def header_value(headers: HeaderList, name: bytes) -> bytes | None:
    """The value of header `name` (lowercased bytes), repeated fields joined with ', '."""
    values = [value for _, key, value in headers if key == name]
    if not values:
        return None
    return values[0] if len(values) == 1 else b", ".join(values)


def vary_matches(vary: tuple[tuple[bytes, bytes | None], ...], headers: HeaderList) -> bool:
    """True when `headers` carry the same values as the stored request for each Vary name."""
    return all(header_value(headers, name) == value for name, value in vary)


def basic_authorization(auth: tuple[Any, ...]) -> bytes:
    """The `Authorization` value the core builds for `auth=(user, password)`."""
    user, password = auth
    return b"Basic " + base64.b64encode(f"{user}:{password}".encode())


class Credentials:
    """Fingerprints of the credentials a request carries (memoised; secrets are hashed)."""

    def __init__(self) -> None:
        self._memo: dict[tuple[Any, ...], str] = {}

    def fingerprint(
        self,
        authorization: bytes | None,
        cookie: bytes | None,
        cookies: Any,
        jar: httpx.Cookies | None,
        userinfo: bytes,
        secrets: tuple[tuple[bytes, bytes], ...] = (),
    ) -> str:
        """The empty string for a request without credentials, else a hash of all of them."""
        material = credential_material(authorization, cookie, cookies, jar, userinfo, secrets)
        if material is None:
            return ""
        try:
            return self._memo[material]
        except KeyError:
            return _remember(self._memo, material, credential(material))


def credential_material(
    authorization: bytes | None,
    cookie: bytes | None,
    cookies: Any,
    jar: httpx.Cookies | None,
    userinfo: bytes,
    secrets: tuple[tuple[bytes, bytes], ...] = (),
) -> tuple[Any, ...] | None:
    """Everything that identifies who is asking, or None when nothing does: `secrets` are the
    other sensitive headers present (`secret_headers`)."""
    jar_items: tuple[tuple[str, str, str, str], ...] = ()
    if jar is not None and len(jar.jar):
        jar_items = tuple(sorted((c.domain, c.path, c.name, c.value or "") for c in jar.jar))
    cookie_items: tuple[tuple[str, str], ...] = ()
    if cookies:
        items = cookies.items() if isinstance(cookies, Mapping) else cookies
        cookie_items = tuple(sorted((str(k), str(v)) for k, v in items))
    if not (authorization or cookie or cookie_items or jar_items or userinfo or secrets):
        return None
    return (authorization, cookie, cookie_items, jar_items, userinfo, secrets)


_SCANNED_CREDENTIALS = frozenset({b"authorization", b"cookie"})


def secret_headers(
    headers: HeaderList, config: Mapping[str, Any] | None
) -> tuple[tuple[bytes, bytes], ...]:
    """Every header of the request that the client's redaction policy calls a secret
    (`axios_python.redaction`), besides Authorization and Cookie: `(name, value)`, sorted.
    All of them are key material: never a subset (X-Api-Key alice and bob never share)."""
    is_secret = redactor_for(config).is_secret_header
    found = [
        (name, value)
        for _, name, value in headers
        if name not in _SCANNED_CREDENTIALS and is_secret(name.decode("latin-1"))
    ]
    return tuple(sorted(found)) if found else ()


def credential(material: tuple[Any, ...]) -> str:
    """A 128-bit BLAKE2b hash of the credential material: keys never hold secrets."""
    return hashlib.blake2b(repr(material).encode(), digest_size=16).hexdigest()
