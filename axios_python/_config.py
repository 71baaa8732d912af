"""Defaults and merge rules: pure code, no I/O.

Merge rules (per-request options over client defaults):

- `headers`: merged case-insensitively, per-request values win.
- `params`, `cookies`: merged key by key when both are mappings, per-request values win.
- everything else: the per-request value replaces the default.

The merged config is a plain dict that interceptors, middleware and plugins may mutate.
Building a request from it is `_request_build`; the URL grammar is `_urls`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from ._environment import accept_encoding
from ._exceptions import ConfigError
from ._internals.httpx import add_header
from ._version import __version__

__all__ = [
    "DEFAULTS",
    "DEFAULT_HEADERS",
    "ConfigHeaders",
    "merge_config",
    "split_client_options",
    "total_timeout",
]

DEFAULT_TIMEOUT = 5.0

DEFAULT_HEADERS = {
    "Accept": "application/json, text/plain, */*",
    "Accept-Encoding": accept_encoding(),
    "User-Agent": f"axios-python/{__version__}",
}

DEFAULTS: dict[str, Any] = {
    "base_url": None,
    "timeout": DEFAULT_TIMEOUT,
    "follow_redirects": True,
    "max_redirects": 20,
    "max_retries": 0,
    "retry_strategy": None,
    "validate_status": None,
    "stream": False,
}
# Keys that configure the transport (the connection pool), not a request.

TRANSPORT_KEYS = frozenset({"verify", "cert", "proxy", "trust_env", "http2", "limits"})

_MERGED_MAPPINGS = frozenset({"params", "cookies"})


def split_client_options(options: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split validated `create()` options into (request defaults, transport options)."""
    defaults = dict(DEFAULTS)
    transport: dict[str, Any] = {}
    headers = httpx.Headers(DEFAULT_HEADERS)
    for key, value in options.items():
        if key in TRANSPORT_KEYS:
            transport[key] = value
        elif key == "headers":
            headers.update(value)
        elif key not in ("transport", "plugins", "autoload"):
            defaults[key] = value
    if "max_redirects" in options:
        transport["max_redirects"] = options["max_redirects"]
    if options.get("cookies"):
        transport["cookies"] = dict(options["cookies"])
        del defaults["cookies"]  # they live in the transport's jar from now on
    defaults["headers"] = headers
    return defaults, transport


def merge_config(
    defaults: dict[str, Any], method: str, url: Any, options: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The config of one request: defaults, then `options` (already validated)."""
    config = defaults.copy()
    config["method"] = method
    config["url"] = url
    if type(config.get("params")) is dict:  # interceptors may mutate it: never the defaults'
        config["params"] = config["params"].copy()
    headers = ConfigHeaders(defaults["headers"])
    if options:
        for key, value in options.items():
            if key == "headers":
                headers.update(value)
            elif key in _MERGED_MAPPINGS and _is_mapping(value) and _is_mapping(config.get(key)):
                config[key] = {**config[key], **value}
            else:
                config[key] = value
    config["headers"] = headers
    return config


def _is_mapping(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)  # a dict skips the ABC check


class ConfigHeaders(httpx.Headers):
    """`config["headers"]`: an `httpx.Headers` that names the header when a hook assigns a
    value of the wrong type (httpx would fail with "'int' object has no attribute 'encode'")."""

    def __setitem__(self, key: str, value: str) -> None:
        try:
            add_header(self, key, value)
        except AttributeError:  # a name or value that is not a str (try costs nothing else)
            what = value if isinstance(key, str) else key
            raise ConfigError(
                f"header {key!r}: names and values are str, not {type(what).__name__} "
                f"({what!r:.80})",
                key="headers",
            ) from None


def total_timeout(timeout: Any) -> float | None:
    """The `total` of a `timeout={"total": s, ...}` option: the whole call's deadline, or None."""
    if type(timeout) is dict or (isinstance(timeout, Mapping) and not isinstance(timeout, str)):
        total: float | None = timeout.get("total")
        return total
    return None
