"""Redaction of secrets before anything is logged: pure code, no I/O, no logging.

Three name lists, each matched case-insensitively; an entry with `*`, `?` or `[` is a glob
(`"*token*"` matches `X-Auth-Token` and `refresh_token`), anything else an exact name:

- header names (`redact_headers`): request and response headers, when headers are logged;
- parameter names (`redact_params`): URL query parameters and the fields of
  `application/x-www-form-urlencoded` bodies;
- field names (`redact_fields`): keys of JSON bodies, at any depth (the whole value goes).

A URL's password (`https://user:secret@host/`) is always redacted.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import unquote_plus, urlsplit

import httpx

__all__ = [
    "DEFAULT_REDACT_FIELDS",
    "DEFAULT_REDACT_HEADERS",
    "DEFAULT_REDACT_PARAMS",
    "REDACTED",
    "Redactor",
]

REDACTED = "[REDACTED]"

DEFAULT_REDACT_HEADERS: tuple[str, ...] = (
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "*api-key*",
    "*api_key*",
    "*apikey*",
    "*auth*",
    "*token*",
    "*secret*",
    "*password*",
    "*session*",
    "*signature*",
    "*credential*",
)
DEFAULT_REDACT_PARAMS: tuple[str, ...] = (
    "api_key",
    "apikey",
    "api-key",
    "key",
    "auth",
    "code",
    "sig",
    "passwd",
    "pwd",
    "session",
    "sessionid",
    "*token*",
    "*secret*",
    "*password*",
    "*signature*",
    "*credential*",
)
DEFAULT_REDACT_FIELDS: tuple[str, ...] = (
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "passwd",
    "*api-key*",
    "*api_key*",
    "*apikey*",
    "*token*",
    "*secret*",
    "*password*",
    "*credential*",
    "*signature*",
)

_GLOB = re.compile(r"[*?\[]")
_MEMO_SIZE = 1024


@functools.lru_cache(maxsize=64)
def _compiled(globs: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for the globs (remembered: every LoggerPlugin() compiles the defaults)."""
    return re.compile("|".join(fnmatch.translate(g) for g in globs))


def name_matcher(patterns: Iterable[str]) -> Callable[[str], bool]:
    """A predicate telling whether a name matches one of `patterns` (case-insensitive)."""
    if isinstance(patterns, str):
        patterns = (patterns,)
    exact: set[str] = set()
    globs: list[str] = []
    for pattern in patterns:
        if not isinstance(pattern, str):
            raise TypeError(f"redaction names must be strings, not {type(pattern).__name__}")
        if _GLOB.search(pattern):
            globs.append(pattern.lower())
        else:
            exact.add(pattern.lower())
    frozen = frozenset(exact)
    regex = _compiled(tuple(globs)) if globs else None
    seen: dict[str, bool] = {}  # header and parameter names repeat: remember the answers

    def matches(name: str) -> bool:
        answer = seen.get(name)
        if answer is None:
            lowered = name.lower()
            answer = lowered in frozen or (regex is not None and regex.match(lowered) is not None)
            if len(seen) < _MEMO_SIZE:
                seen[name] = answer
        return answer

    return matches


class Redactor:
    """Redacts headers, URLs, form bodies and JSON documents. Immutable, so thread-safe."""

    __slots__ = ("_field", "_header", "_param")

    def __init__(
        self,
        headers: Iterable[str] = DEFAULT_REDACT_HEADERS,
        params: Iterable[str] = DEFAULT_REDACT_PARAMS,
        fields: Iterable[str] = DEFAULT_REDACT_FIELDS,
    ) -> None:
        self._header = name_matcher(headers)
        self._param = name_matcher(params)
        self._field = name_matcher(fields)

    def is_secret_header(self, name: str) -> bool:
        return self._header(name)

    def is_secret_param(self, name: str) -> bool:
        return self._param(name)

    def is_secret_field(self, name: str) -> bool:
        return self._field(name)

    def headers(self, headers: httpx.Headers) -> dict[str, str]:
        """A new dict of lower-cased names to values (repeated headers joined), secrets redacted."""
        return {name: REDACTED if self._header(name) else value for name, value in headers.items()}

    def url(self, url: str) -> str:
        """`url` with secret query parameters and any password replaced by `[REDACTED]`."""
        if "?" not in url and "@" not in url:
            return url
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, _, hostport = netloc.rpartition("@")
            user, colon, _password = userinfo.partition(":")
            if colon:
                netloc = f"{user}:{REDACTED}@{hostport}"
        query = self.query(parts.query) if parts.query else parts.query
        if netloc == parts.netloc and query == parts.query:
            return url
        return parts._replace(netloc=netloc, query=query).geturl()

    def query(self, query: str) -> str:
        """A query string (or form body) with the values of secret parameters redacted."""
        pieces = query.split("&")
        changed = False
        for index, piece in enumerate(pieces):
            name, equals, value = piece.partition("=")
            if equals and value and self._param(unquote_plus(name)):
                pieces[index] = f"{name}={REDACTED}"
                changed = True
        return "&".join(pieces) if changed else query

    def json(self, document: Any) -> Any:
        """A copy of a parsed JSON document whose secret keys (at any depth) have `[REDACTED]` values."""
        if isinstance(document, dict):
            return {
                key: REDACTED if isinstance(key, str) and self._field(key) else self.json(value)
                for key, value in document.items()
            }
        if isinstance(document, list):
            return [self.json(item) for item in document]
        return document

    def text(self, text: str, raw_url: str, url: str) -> str:
        """`text` (an error message, say) with the raw URL replaced by its redacted form."""
        return text.replace(raw_url, url) if raw_url != url else text
