"""The error tree. Every error carries the request context it happened in.

```
AxiosPythonError                 .code .config .request .response
├── HTTPStatusError              status rejected by validate_status / raise_for_status
├── TimeoutError                 also a builtins.TimeoutError; .phase: connect|read|write|pool
├── NetworkError                 refused, reset, DNS failure, broken body, protocol violation
├── TooManyRedirects             more than max_redirects hops
├── RetryError                   every attempt failed; __cause__ is the last error
├── CancelError                  aborted through a CancelToken (or the asyncio task)
├── ConfigError                  also a ValueError; bad option, bad URL, bad header
├── ResponseValidationError     the body does not match the request's response_model; .errors
├── StreamError                  a streamed body used the wrong way (not read, already consumed)
├── ContentTooLargeError         a body over max_content_length / max_body_length
├── MiddlewareError              a middleware broke the pipeline contract
└── PluginError                  a plugin raised inside a hook; .plugin .hook, __cause__
```

`code` follows axios (`ERR_NETWORK`, `ETIMEDOUT`, `ERR_CANCELED`, `ERR_BAD_RESPONSE`, ...) so
that code ported from JavaScript can switch on it.

httpx's exceptions become these at one boundary, `map_httpx_errors()` (as httpcore's
`map_exceptions`), at the end of this module.
"""

from __future__ import annotations

import builtins
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import unquote, unquote_plus, urlsplit

import httpx

from .redaction import REDACTED, Redactor, redactor_for

if TYPE_CHECKING:
    from ._models import Request, Response

__all__ = [
    "AxiosPythonError",
    "CancelError",
    "ConfigError",
    "ContentTooLargeError",
    "HTTPStatusError",
    "MiddlewareError",
    "NetworkError",
    "PluginError",
    "ResponseValidationError",
    "RetryError",
    "StreamError",
    "TimeoutError",
    "TooManyRedirects",
    "map_httpx_error",
    "map_httpx_errors",
]


class AxiosPythonError(Exception):
    """The root of every error axios_python raises.

    Its message never shows a URL's password or secret query parameters (the `redact` policy
    of the client, `axios_python.redaction`); `request` keeps the request as it was sent.
    """

    default_code: ClassVar[str] = "ERR_AXIOS_PYTHON"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        config: dict[str, Any] | None = None,
        request: Request | None = None,
        response: Response | None = None,
    ) -> None:
        message = redactor_for(config).text(message)  # no URL secret in str(error)
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.config = config
        self.request = request
        self.response = response

    def __str__(self) -> str:
        return self.message

    def redact(self, redactor: Redactor) -> None:
        """Redact the message with `redactor` (the pipeline applies the client's policy), and
        the exceptions chained to this one (`__cause__`, `__context__`): a dependency's
        exception whose text shows a secret of the request's URL is replaced by a
        `RedactedCause` with the redacted text (and the original traceback and chain)."""
        secrets = _url_secrets(self, redactor)
        self._redact_message(redactor, secrets)
        _redact_chain(self, redactor, secrets)

    def _redact_message(self, redactor: Redactor, secrets: tuple[str, ...] = ()) -> None:
        self.message = _scrub(self.message, redactor, secrets)
        self.args = (self.message, *self.args[1:])

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class HTTPStatusError(AxiosPythonError):
    """A response whose status failed `validate_status` or `raise_for_status()`.

    `code` is `ERR_BAD_REQUEST` for 4xx and `ERR_BAD_RESPONSE` for everything else, as in axios.
    """

    default_code = "ERR_BAD_RESPONSE"
    response: Response

    def __init__(self, message: str, *, response: Response, **kwargs: Any) -> None:
        status = response.status_code
        kwargs.setdefault("code", "ERR_BAD_REQUEST" if 400 <= status < 500 else "ERR_BAD_RESPONSE")
        kwargs.setdefault("request", response.request)
        kwargs.setdefault("config", response.config)
        super().__init__(message, response=response, **kwargs)


class TimeoutError(AxiosPythonError, builtins.TimeoutError):
    """A connect, read, write or pool timeout (`phase`).

    It is also a `builtins.TimeoutError`, so `except TimeoutError:` catches it either way.
    """

    default_code = "ETIMEDOUT"

    def __init__(self, message: str, *, phase: str = "read", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.phase = phase


class NetworkError(AxiosPythonError):
    """The exchange failed below HTTP: refused, reset, truncated, or not HTTP at all."""

    default_code = "ERR_NETWORK"


class TooManyRedirects(AxiosPythonError):
    """More redirects than `max_redirects` allows."""

    default_code = "ERR_FR_TOO_MANY_REDIRECTS"


class RetryError(AxiosPythonError):
    """Every attempt failed. `__cause__` is the last error, `attempts` how many were made."""

    default_code = "ERR_RETRY_EXHAUSTED"

    def __init__(self, message: str, *, attempts: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.attempts = attempts


class CancelError(AxiosPythonError):
    """The request was aborted through its `CancelToken` or by cancelling its asyncio task."""

    default_code = "ERR_CANCELED"


class ConfigError(AxiosPythonError, ValueError):
    """An option, URL or header that cannot be used. The message names the key at fault."""

    default_code = "ERR_BAD_OPTION_VALUE"

    def __init__(self, message: str, *, key: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.key = key


class ResponseValidationError(AxiosPythonError):
    """The response body does not match the request's `response_model`. `response` is the
    response (its `data` the unvalidated body), `errors` pydantic's list of what is wrong."""

    default_code = "ERR_BAD_RESPONSE"

    def __init__(self, message: str, *, errors: list[Any], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.errors = errors


class StreamError(AxiosPythonError):
    """A streamed body was used the wrong way: read before `.read()`, or consumed twice."""

    default_code = "ERR_STREAM"


class ContentTooLargeError(AxiosPythonError):
    """A response body larger, once decoded, than `max_content_length` (reading stopped at the
    limit: a gzip bomb is never inflated in full), or a request body larger than
    `max_body_length` (refused before any I/O). `limit` is the option's value in bytes."""

    default_code = "ERR_CONTENT_TOO_LARGE"

    def __init__(self, message: str, *, limit: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.limit = limit


class MiddlewareError(AxiosPythonError):
    """A middleware broke the pipeline contract (for example awaited asyncio I/O on a sync call)."""

    default_code = "ERR_MIDDLEWARE"


class PluginError(AxiosPythonError):
    """A plugin raised inside a hook. `plugin` and `hook` name it; `__cause__` is the original."""

    default_code = "ERR_PLUGIN"

    def __init__(self, message: str, *, plugin: str, hook: str, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.plugin = plugin
        self.hook = hook


# --- secrets in chained exceptions -------------------------------------------------------


class RedactedCause(Exception):
    """A dependency's exception, chained to an axios_python error, whose text showed a secret
    of the request's URL: its text with the secrets redacted, its type named in front."""


_MIN_SECRET = 3  # a shorter value would redact ordinary words; URLs in text are redacted anyway


def _url_secrets(error: AxiosPythonError, redactor: Redactor) -> tuple[str, ...]:
    """The password and secret query parameter values of the error's request URL, as they
    may appear in a dependency's message: percent-encoded and decoded."""
    url: Any = error.request.url if error.request is not None else None
    config = error.config or {}
    if url is None:
        url = config.get("url")
    found = _secrets_in_url(str(url), redactor) if url is not None else set()
    params = config.get("params")
    if isinstance(params, Mapping):
        found |= {str(v) for k, v in params.items() if redactor.is_secret_param(str(k))}
    return tuple(sorted((s for s in found if len(s) >= _MIN_SECRET), key=len, reverse=True))


def _secrets_in_url(url: str, redactor: Redactor) -> set[str]:
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL after all (a bad IPv6 literal): text() says nothing of it
        return set()
    found: set[str] = set()
    if parts.password:
        found |= {parts.password, unquote(parts.password)}
    for piece in parts.query.split("&"):
        name, _, value = piece.partition("=")
        if value and redactor.is_secret_param(unquote_plus(name)):
            found |= {value, unquote_plus(value)}
    return found


def _scrub(text: str, redactor: Redactor, secrets: tuple[str, ...]) -> str:
    text = redactor.text(text)
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def _redact_chain(exc: BaseException, redactor: Redactor, secrets: tuple[str, ...]) -> None:
    """Redact, in place, every exception chained below `exc` (each one once)."""
    seen = {id(exc)}
    pending = [exc]
    while pending:
        current = pending.pop()
        suppress = current.__suppress_context__  # assigning __cause__ would set it
        for attribute in ("__cause__", "__context__"):
            linked = getattr(current, attribute)
            if linked is None or id(linked) in seen:
                continue
            seen.add(id(linked))
            replacement = _redacted(linked, redactor, secrets)
            setattr(current, attribute, replacement)
            seen.add(id(replacement))
            pending.append(replacement)
        current.__suppress_context__ = suppress


def _redacted(exc: BaseException, redactor: Redactor, secrets: tuple[str, ...]) -> BaseException:
    """`exc`, or a `RedactedCause` in its place when its text shows a secret."""
    if isinstance(exc, AxiosPythonError):
        exc._redact_message(redactor, secrets)
        return exc
    text = str(exc)
    clean = _scrub(text, redactor, secrets)
    if clean == text:
        return exc
    kind = type(exc)
    copy = RedactedCause(f"{kind.__module__}.{kind.__qualname__}: {clean}")
    copy.__traceback__ = exc.__traceback__
    copy.__cause__ = exc.__cause__
    copy.__context__ = exc.__context__
    copy.__suppress_context__ = exc.__suppress_context__
    return copy


# --- httpx's errors, translated at one boundary ------------------------------------------

_TIMEOUT_PHASES: dict[type[Exception], str] = {
    httpx.ConnectTimeout: "connect",
    httpx.ReadTimeout: "read",
    httpx.WriteTimeout: "write",
    httpx.PoolTimeout: "pool",
}


def map_httpx_error(
    exc: httpx.HTTPError | httpx.InvalidURL | httpx.StreamError, request: Any
) -> AxiosPythonError:
    """The axios_python error for an httpx error. `request` may be None (bad URL)."""
    context: dict[str, Any] = {"request": request, "config": getattr(request, "config", None)}
    message = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        phase = _TIMEOUT_PHASES.get(type(exc), "read")
        return TimeoutError(f"{phase} timeout: {message}", phase=phase, **context)
    if isinstance(exc, httpx.ConnectError):
        refused = _caused_by(exc, ConnectionRefusedError) or "refused" in message.lower()
        return NetworkError(message, code="ECONNREFUSED" if refused else "ERR_NETWORK", **context)
    if isinstance(exc, (httpx.ReadError, httpx.WriteError)):
        return NetworkError(message, code="ECONNRESET", **context)
    if isinstance(exc, httpx.RemoteProtocolError):
        lowered = message.lower()
        reset = "disconnected" in lowered or "closed" in lowered
        return NetworkError(message, code="ECONNRESET" if reset else "ERR_BAD_RESPONSE", **context)
    if isinstance(exc, httpx.DecodingError):
        return NetworkError(message, code="ERR_BAD_RESPONSE", **context)
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return ConfigError(f"invalid URL: {message}", key="url", code="ERR_INVALID_URL", **context)
    if isinstance(exc, httpx.LocalProtocolError):
        return ConfigError(f"invalid request: {message}", code="ERR_BAD_OPTION_VALUE", **context)
    if isinstance(exc, httpx.TooManyRedirects):
        return TooManyRedirects(message, **context)
    if isinstance(exc, httpx.StreamError):
        return StreamError(message, **context)
    return NetworkError(message, **context)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether `kind` appears in the chain of causes/contexts of `exc`."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


@contextmanager
def map_httpx_errors(request: Any) -> Iterator[None]:
    """Re-raise httpx errors raised inside the block as axios_python errors, chained.

    A TLS alert that arrives after the handshake (TLS 1.3 sends "certificate required" with
    the first read) escapes httpcore's async streams as a bare `ssl.SSLError`: a NetworkError.
    """
    try:
        yield
    except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError) as exc:
        raise map_httpx_error(exc, request) from exc
    except ssl.SSLError as exc:
        context: dict[str, Any] = {"request": request, "config": getattr(request, "config", None)}
        raise NetworkError(f"TLS error: {exc}", code="ERR_NETWORK", **context) from exc
