"""The URL grammar of a request: what `url` and `base_url` may be, and how they join.

As in axios, only `scheme://...` and `//...` are absolute (`"users:batch"` is a path); a relative
URL is joined onto `base_url` keeping the base path. Only http(s) URLs with a usable host and port
are accepted: anything else is a `ConfigError` (`code="ERR_INVALID_URL"`) before any I/O.
"""

from __future__ import annotations

from typing import Any

import httpx

from ._exceptions import ConfigError

__all__ = ["check_url_type", "merge_url", "resolve_url", "short_url"]


def resolve_url(
    url: str | httpx.URL, base_url: str | httpx.URL | None = None, params: Any = None
) -> httpx.URL:
    """The absolute URL a request for `url` goes to, as the client builds it.

    A relative `url` is joined onto `base_url` keeping the base path (`"/users"` on
    `"https://api.test/v2"` is `https://api.test/v2/users`), and `params` are merged into the
    URL's own query, as axios and requests do. As in axios, only `scheme://...` and `//...` are
    absolute (`"users:batch"` is a path). Raises `ConfigError` (`code="ERR_INVALID_URL"`) for a
    URL the client would refuse: no host, control characters, an absolute URL other than
    http(s), a bad port or host name, a relative URL without `base_url`. For plugins that need a
    request's URL before it is built.
    """
    merged = merge_url(base_url, url)
    if params:
        merged = merged.copy_merge_params(params)
    return merged


def merge_url(base_url: str | httpx.URL | None, url: str | httpx.URL) -> httpx.URL:
    """Join a relative `url` onto `base_url` as httpx does: the base path is kept.

    A URL is absolute, as in axios, when it starts with `scheme://` or `//` (the latter takes
    the scheme of `base_url`); anything else, `"users:batch"` included, is a path joined onto
    the base. Parsing and joining URLs was most of what building a request cost: clients
    remember the result in their `Memo` (httpx.URL is immutable, so sharing it is safe).
    """
    check_url_type(url)
    text = str(url)
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in text):
        raise _url_error(text, "it contains control characters")
    head = text.partition("?")[0].partition("#")[0]
    if head.startswith("//"):  # protocol-relative: absolute, in the base URL's scheme
        if not base_url:
            raise _url_error(text, "a URL without a scheme needs a base_url")
        text = _base(str(base_url)).scheme + ":" + text
    elif isinstance(url, str) and "://" not in head and ":" in head.partition("/")[0]:
        if head.partition(":")[0].lower() in ("http", "https"):
            raise _url_error(text, "it has no host (did you mean http://...?)")
        text = "/" + text  # "users:batch" is a path, not a URL with the scheme "users"
    merged = httpx.URL(text)  # spaces in a path or query are percent-encoded, as in requests
    if "://" in head and not merged.host:
        raise _url_error(text, "it has no host")
    _check_host(merged, text)
    if merged.is_relative_url:
        if not base_url:
            raise ConfigError(
                f"relative URL {short_url(url)!r} needs a base_url (or pass an absolute http(s) URL)",
                key="url",
                code="ERR_INVALID_URL",
            )
        base = _base(str(base_url))
        return base.copy_with(raw_path=base.raw_path + merged.raw_path.lstrip(b"/"))
    if merged.scheme not in ("http", "https") or not merged.host:
        raise ConfigError(
            f"unsupported URL {short_url(url)!r}: only http:// and https:// URLs work",
            key="url",
            code="ERR_INVALID_URL",
        )
    return merged


def check_url_type(url: object) -> None:
    if not isinstance(url, (str, httpx.URL)):
        raise ConfigError(
            f"invalid URL {url!r:.200}: a URL is a str or an httpx.URL, not {type(url).__name__}",
            key="url",
            code="ERR_INVALID_URL",
        )


def _url_error(text: str, why: str) -> ConfigError:
    return ConfigError(f"invalid URL {short_url(text)!r}: {why}", key="url", code="ERR_INVALID_URL")


def short_url(url: object) -> str:
    """A URL as error messages show it: a 70 KB URL is not repeated in full."""
    text = str(url)
    return text if len(text) <= 200 else text[:200] + "..."


def _check_host(url: httpx.URL, text: str) -> None:
    """Refuse, before any I/O, a host or port no connection could use."""
    if "%" in url.host:  # httpx percent-encodes what no host name may contain (spaces...)
        raise _url_error(text, "its host is not a valid host name")
    port = url.port
    if port is not None and not 0 < port < 65536:
        raise _url_error(text, f"its port {port} is not between 1 and 65535")
    host = url.raw_host
    if host and b":" not in host:  # a name or IPv4 address (IPv6 literals are checked by httpx)
        labels = host.removesuffix(b".").split(b".")
        if len(host) > 253 or any(not 0 < len(label) < 64 for label in labels):
            raise _url_error(text, "its host is not a valid host name")


def _base(base_url: str) -> httpx.URL:
    base = httpx.URL(base_url)
    if not base.raw_path.endswith(b"/"):
        base = base.copy_with(raw_path=base.raw_path + b"/")
    return base
