"""The one redaction policy: which names are secrets, and how text is cleaned of them.

Errors (`str(error)`), the logger plugin and every other plugin redact through a `Redactor`,
and the transports drop its sensitive headers on a cross-origin redirect. Three name lists,
each matched case-insensitively; an entry with `*`, `?` or `[` is a glob (`"*token*"` matches
`X-Auth-Token` and `refresh_token`), anything else an exact name:

- header names (`headers`): sent headers, logged headers, and what a redirect to another
  origin drops;
- query parameter names (`params`): in URLs and `application/x-www-form-urlencoded` bodies;
- JSON field names (`fields`): keys of JSON documents, at any depth (the whole value goes).

A URL's password (`https://user:secret@host/`) is always redacted.

```python
import axios_python
from axios_python.redaction import Redactor

api = axios_python.create({"redact": Redactor().extend(headers=["X-Tenant-Key"], params=["sid"])})
```

The original values stay where code needs them: `error.request.url` is the URL as sent.
"""

from __future__ import annotations

import fnmatch
import functools
import json as jsonlib
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import unquote_plus, urlsplit

import httpx

__all__ = [
    "DEFAULT_REDACTOR",
    "DEFAULT_SENSITIVE_FIELDS",
    "DEFAULT_SENSITIVE_HEADERS",
    "DEFAULT_SENSITIVE_PARAMS",
    "REDACTED",
    "Redactor",
    "may_carry_credentials",
    "name_matcher",
    "redactor_for",
    "same_origin",
    "strip_for_redirect",
]

REDACTED = "[REDACTED]"

DEFAULT_SENSITIVE_HEADERS: tuple[str, ...] = (
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "x-auth-token",
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
DEFAULT_SENSITIVE_PARAMS: tuple[str, ...] = (
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
DEFAULT_SENSITIVE_FIELDS: tuple[str, ...] = (
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
_NESTED_JSON_LIMIT = 1 << 20
# an absolute URL inside free text (an error message): up to a quote, space or bracket
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^\s'\"<>()\[\]{}]+")


@functools.lru_cache(maxsize=64)
def _compiled(globs: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for the globs, remembered: every client and LoggerPlugin compiles the defaults."""
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
    """Which header, parameter and JSON field names are secrets; redacts text of them.

    Immutable, so thread-safe. `Redactor()` is the default policy; `extend()` adds names to a
    copy; passing a list replaces the default one.
    """

    __slots__ = ("_field", "_header", "_param", "fields", "headers", "params")

    def __init__(
        self,
        headers: Iterable[str] = DEFAULT_SENSITIVE_HEADERS,
        params: Iterable[str] = DEFAULT_SENSITIVE_PARAMS,
        fields: Iterable[str] = DEFAULT_SENSITIVE_FIELDS,
    ) -> None:
        self.headers: tuple[str, ...] = _names(headers)
        self.params: tuple[str, ...] = _names(params)
        self.fields: tuple[str, ...] = _names(fields)
        self._header = name_matcher(self.headers)
        self._param = name_matcher(self.params)
        self._field = name_matcher(self.fields)

    def extend(
        self, *, headers: Iterable[str] = (), params: Iterable[str] = (), fields: Iterable[str] = ()
    ) -> Redactor:
        """A new policy with these names added to this one's."""
        return Redactor(
            (*self.headers, *_names(headers)),
            (*self.params, *_names(params)),
            (*self.fields, *_names(fields)),
        )

    def __repr__(self) -> str:
        return f"Redactor(headers={self.headers!r}, params={self.params!r}, fields={self.fields!r})"

    # --- names ---------------------------------------------------------------------------

    def is_secret_header(self, name: str) -> bool:
        return self._header(name)

    def is_secret_param(self, name: str) -> bool:
        return self._param(name)

    def is_secret_field(self, name: str) -> bool:
        return self._field(name)

    # --- redacting -----------------------------------------------------------------------

    def redact_headers(self, headers: httpx.Headers | Mapping[str, str]) -> dict[str, str]:
        """A new dict of lower-cased names to values (repeated headers joined), secrets redacted."""
        if not isinstance(headers, httpx.Headers):
            headers = httpx.Headers(headers)
        return {name: REDACTED if self._header(name) else value for name, value in headers.items()}

    def secret_headers(self, headers: httpx.Headers) -> list[tuple[str, str]]:
        """The `(lower-cased name, value)` pairs of `headers` that are secrets, sorted."""
        return sorted((name, value) for name, value in headers.multi_items() if self._header(name))

    def strip_headers(self, headers: httpx.Headers) -> None:
        """Remove every secret header from `headers`, in place (a redirect to another origin)."""
        for name in {name for name in headers if self._header(name)}:
            del headers[name]

    def url(self, url: str | httpx.URL) -> str:
        """`url` as text, with secret query parameters and any password replaced by `[REDACTED]`."""
        url = str(url)
        if "?" not in url and "@" not in url:
            return url
        try:
            parts = urlsplit(url)
        except ValueError:  # not a URL after all (a bad IPv6 literal): say nothing of it
            return REDACTED
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
        """A copy of a parsed JSON document: secret keys (at any depth) get `[REDACTED]` values,
        URLs inside string values are redacted as `text()` does, and a string value that is
        itself a JSON document (an echoed body) is redacted the same way."""
        if isinstance(document, dict):
            return {
                key: REDACTED if isinstance(key, str) and self._field(key) else self.json(value)
                for key, value in document.items()
            }
        if isinstance(document, list):
            return [self.json(item) for item in document]
        if isinstance(document, str):
            return self._string(document)
        return document

    def _string(self, value: str) -> str:
        head = value[:1]
        if head in ("{", "[") and len(value) <= _NESTED_JSON_LIMIT:
            try:
                inner = jsonlib.loads(value)
            except ValueError:
                pass
            else:
                if isinstance(inner, (dict, list)):
                    redacted = self.json(inner)
                    return value if redacted == inner else jsonlib.dumps(redacted)
        return self.text(value)

    def text(self, text: str) -> str:
        """`text` (an error message, a log line) with every URL in it redacted: whatever
        library wrote it, however it re-encoded the URL, after any redirect."""
        if "://" not in text:
            return text
        return _URL_IN_TEXT.sub(lambda match: self.url(match.group(0)), text)


def _names(names: Iterable[str]) -> tuple[str, ...]:
    if isinstance(names, str):
        return (names,)
    result = tuple(names)
    for name in result:
        if not isinstance(name, str):
            raise TypeError(f"redaction names must be strings, not {type(name).__name__}")
    return result


DEFAULT_REDACTOR = Redactor()


def redactor_for(config: Mapping[str, Any] | None) -> Redactor:
    """The policy a request config uses: its client's `redact` option, or the default."""
    if config:
        redactor = config.get("redact")
        if isinstance(redactor, Redactor):
            return redactor
    return DEFAULT_REDACTOR


_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def same_origin(a: httpx.URL, b: httpx.URL) -> bool:
    """Same scheme, host and port (default ports made explicit): where credentials may go."""
    return (
        a.scheme == b.scheme
        and a.host == b.host
        and (a.port or _DEFAULT_PORTS.get(a.scheme)) == (b.port or _DEFAULT_PORTS.get(b.scheme))
    )


def may_carry_credentials(source: httpx.URL, target: httpx.URL) -> bool:
    """Whether a redirect from `source` to `target` may keep credential headers: the same
    origin, or the same host upgraded from http to https (httpx's rule for Authorization)."""
    if same_origin(source, target):
        return True
    return (
        source.scheme == "http"
        and target.scheme == "https"
        and source.host == target.host
        and source.port in (None, 80)
        and target.port in (None, 443)
    )


def strip_for_redirect(hop: httpx.Request, source: httpx.URL) -> None:
    """Drop the secret headers of a redirect `hop` (its request's config's policy) when it
    leaves the origin of `source`, unless the config sets `keep_sensitive_headers_on_redirect`.
    Transports call it on every hop they build."""
    config: Mapping[str, Any] = getattr(hop, "config", None) or {}
    if config.get("keep_sensitive_headers_on_redirect") or may_carry_credentials(source, hop.url):
        return
    redactor_for(config).strip_headers(hop.headers)
