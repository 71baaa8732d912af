"""The pydantic schema of every option, and its translation into `ConfigError`.

Imported lazily (pydantic is not needed to send a request without options). Validation is
strict: `timeout="5"` or `follow_redirects="yes"` is an error, not a guess.
"""

from __future__ import annotations

import difflib
import ssl
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from typing import Annotated, Any

import httpx
from pydantic import AfterValidator, Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from ._cancel import CancelToken
from ._exceptions import ConfigError
from ._retry import RetryStrategy
from ._transports.base import BaseTransport

__all__ = ["CLIENT_KEYS", "REQUEST_KEYS", "validate_client_options", "validate_request_options"]

_STRICT = {"extra": "forbid", "strict": True, "arbitrary_types_allowed": True}
_FORBIDDEN_IN_HEADERS = ("\r", "\n", "\x00")


def _check_url(value: str | httpx.URL) -> str | httpx.URL:
    text = str(value)
    if any(ch in text for ch in _FORBIDDEN_IN_HEADERS) or any(ch.isspace() for ch in text.strip()):
        raise ValueError("URL contains whitespace or control characters")
    try:
        httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise ValueError(f"malformed URL: {exc}") from None
    return value


def _check_base_url(value: str | httpx.URL) -> str | httpx.URL:
    _check_url(value)
    url = httpx.URL(str(value))
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError("base_url must be an absolute http:// or https:// URL")
    return value


def _check_headers(value: Mapping[str, str]) -> Mapping[str, str]:
    for name, val in value.items():
        if not name or any(ch in name for ch in (*_FORBIDDEN_IN_HEADERS, ":", " ")):
            raise ValueError(f"invalid header name {name!r}")
        if any(ch in val for ch in _FORBIDDEN_IN_HEADERS):
            raise ValueError(f"header {name!r} contains a newline or NUL (header injection)")
    return value


def _check_content(value: Any) -> Any:
    if value is None or isinstance(value, (bytes, str, Iterable, AsyncIterable)):
        return value
    raise ValueError("content must be bytes, str, or an (async) iterable of bytes")


NonNegFloat = Annotated[float, Field(ge=0)]
NonNegInt = Annotated[int, Field(ge=0)]


class TimeoutOptions(TypedDict, total=False):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    connect: NonNegFloat | None
    read: NonNegFloat | None
    write: NonNegFloat | None
    pool: NonNegFloat | None


class RequestOptions(TypedDict, total=False):
    """Options accepted per request and, as defaults, by `create()`."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    base_url: Annotated[str | httpx.URL, AfterValidator(_check_base_url)] | None
    timeout: NonNegFloat | TimeoutOptions | httpx.Timeout | None
    headers: Annotated[Mapping[str, str] | httpx.Headers, AfterValidator(_check_headers)]
    params: Mapping[str, Any] | list[tuple[str, Any]] | str | httpx.QueryParams | None
    json: Any
    data: Mapping[str, Any] | str | bytes | None
    content: Annotated[Any, AfterValidator(_check_content)]
    files: Mapping[str, Any] | list[tuple[str, Any]] | None
    cookies: Mapping[str, str] | None
    auth: tuple[str, str] | httpx.Auth | None
    follow_redirects: bool
    max_redirects: NonNegInt
    validate_status: Callable[[int], bool] | None
    max_retries: NonNegInt
    retry_strategy: RetryStrategy | None
    retry_deadline: NonNegFloat | None
    on_retry: Callable[..., Any] | None
    cancel_token: CancelToken | None
    stream: bool
    on_upload_progress: Callable[..., Any] | None
    on_download_progress: Callable[..., Any] | None


class ClientOptions(RequestOptions, total=False):
    """Options only `create()` / `AxiosPython(config=...)` accept: they shape the connection pool."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    verify: bool | str | ssl.SSLContext
    cert: str | tuple[str, str] | tuple[str, str, str] | None
    proxy: str | httpx.URL | httpx.Proxy | None
    trust_env: bool
    http2: bool
    limits: httpx.Limits | None
    transport: BaseTransport | str | None
    plugins: list[Any]


REQUEST_KEYS = frozenset(RequestOptions.__annotations__) - {"__pydantic_config__"}
CLIENT_KEYS = frozenset(ClientOptions.__annotations__) - {"__pydantic_config__"} | REQUEST_KEYS
CLIENT_ONLY_KEYS = CLIENT_KEYS - REQUEST_KEYS

_request_adapter: TypeAdapter[RequestOptions] = TypeAdapter(RequestOptions)
_client_adapter: TypeAdapter[ClientOptions] = TypeAdapter(ClientOptions)


def validate_request_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """Validate per-request keyword options. Raises `ConfigError` naming the key at fault."""
    try:
        return dict(_request_adapter.validate_python(options))
    except ValidationError as exc:
        raise _config_error(exc, options, REQUEST_KEYS, per_request=True) from None


def validate_client_options(options: Any) -> dict[str, Any]:
    """Validate the config given to `create()`. Raises `ConfigError` naming the key at fault."""
    if not isinstance(options, Mapping):
        raise ConfigError(
            f"config must be a mapping (a dict), not {type(options).__name__}", key=None
        )
    try:
        return dict(_client_adapter.validate_python(options))
    except ValidationError as exc:
        raise _config_error(exc, options, CLIENT_KEYS, per_request=False) from None


def _config_error(
    exc: ValidationError, options: Mapping[str, Any], valid: frozenset[str], *, per_request: bool
) -> ConfigError:
    error = exc.errors(include_url=False)[0]
    loc = error["loc"]
    key = str(loc[0]) if loc else None
    where = "request option" if per_request else "config key"
    if error["type"] == "extra_forbidden" and key is not None:
        if per_request and key in CLIENT_ONLY_KEYS:
            message = f"{where} {key!r} can only be set on the client: axios_python.create({{{key!r}: ...}})"
            return ConfigError(message, key=key, code="ERR_BAD_OPTION")
        message = f"unknown {where} {key!r}"
        close = difflib.get_close_matches(key, sorted(valid), n=1, cutoff=0.6)
        if close:
            message += f"; did you mean {close[0]!r}?"
        return ConfigError(message, key=key, code="ERR_BAD_OPTION")
    path = key or "config"
    value = options.get(key) if key is not None else options
    reason = str(error["msg"]).removeprefix("Value error, ")
    code = "ERR_INVALID_URL" if key == "base_url" else "ERR_BAD_OPTION_VALUE"
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return ConfigError(f"invalid {where} {path!r}: {reason} (got {shown})", key=key, code=code)
