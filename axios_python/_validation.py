"""The pydantic schema of every option, and its translation into `ConfigError`.

Imported lazily (pydantic is not needed to send a request without options). Validation is
strict: `timeout="5"` or `follow_redirects="yes"` is an error, not a guess.
"""

from __future__ import annotations

import difflib
import io
import os
import ssl
import threading
from collections.abc import AsyncIterable, Callable, Iterable, Mapping
from functools import lru_cache
from typing import Annotated, Any

import httpx
from pydantic import AfterValidator, Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from ._cancel import CancelToken
from ._exceptions import ConfigError
from ._headers import FIELD_VALUE, TOKEN
from ._request_build import PLAIN, PRIMITIVE, not_primitive
from ._retry import RetryStrategy
from ._transports.base import BaseTransport
from .redaction import Redactor

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
        if not TOKEN.fullmatch(name):
            raise ValueError(
                f"invalid header name {name!r}: only ASCII letters, digits and !#$%&'*+-.^_`|~"
            )
        if not FIELD_VALUE.fullmatch(val):
            raise ValueError(
                f"header {name!r} has a value that is not printable ASCII ({val!r}); "
                "encode it first (percent-encoding, RFC 8187)"
            )
        if val != val.strip(" \t"):
            raise ValueError(f"header {name!r} has leading or trailing whitespace ({val!r})")
    return value


def _check_primitives(what: str, items: Any, allowed: tuple[type, ...]) -> None:
    problem = not_primitive(what, items, allowed)
    if problem:  # pydantic reports a ValueError under the option's name
        raise ValueError(problem)


def _check_params(value: Any) -> Any:
    if type(value) is dict and all(type(item) in PLAIN for item in value.values()):
        return value  # the common case, in one pass
    if isinstance(value, Mapping):
        _check_primitives("param", value.items(), PRIMITIVE)
    elif isinstance(value, list):
        _check_primitives("param", value, PRIMITIVE)
    return value


def _check_data(value: Any) -> Any:
    if isinstance(value, Mapping):  # form fields (bytes are fine in a multipart body)
        _check_primitives("form field", value.items(), (*PRIMITIVE, bytes))
    return value


def _check_open(key: str, value: Any) -> None:
    if getattr(value, "closed", False) is True:
        raise ValueError(f"{key} is a closed file ({value!r})")


def _check_files(value: Any) -> Any:
    items = value.items() if isinstance(value, Mapping) else (value or ())
    for name, file in items:
        content = file[1] if isinstance(file, tuple) and len(file) in (2, 3, 4) else file
        if isinstance(file, tuple) and content is file:
            raise ValueError(
                f"file {name!r}: a tuple must be (filename, content[, content_type[, headers]])"
            )
        if isinstance(content, io.TextIOBase):
            raise ValueError(f"file {name!r} is opened in text mode; open it with 'rb'")
        if not isinstance(content, (bytes, str)) and not callable(getattr(content, "read", None)):
            raise ValueError(
                f"file {name!r} must be bytes, str or a binary file object, "
                f"not {type(content).__name__}"
            )
        _check_open(f"file {name!r}", content)
    return value


def _check_content(value: Any) -> Any:
    if isinstance(value, (bytearray, memoryview)):
        raise ValueError(f"content must be bytes, not {type(value).__name__}: pass bytes(...)")
    if isinstance(value, Mapping):
        raise ValueError("content must be bytes or str; send a mapping with json= or data=")
    if isinstance(value, (list, tuple)) and not all(isinstance(c, bytes) for c in value):
        raise ValueError("content given as a list or tuple must hold bytes chunks only")
    if value is None or isinstance(value, (bytes, str, Iterable, AsyncIterable)):
        _check_open("content", value)
        return value
    raise ValueError("content must be bytes, str, or an (async) iterable of bytes")


def _check_proxy(value: Any) -> Any:
    if value is None or isinstance(value, httpx.Proxy):
        return value
    _check_url(value)
    url = httpx.URL(str(value))
    if url.scheme not in ("http", "https", "socks5", "socks5h") or not url.host:
        raise ValueError("proxy must be an absolute http://, https://, socks5:// or socks5h:// URL")
    return value


def _check_path(value: Any) -> Any:
    paths = value if isinstance(value, tuple) else (value,)
    for path in paths[:2]:  # (cert, key[, password]): the password is not a path
        if isinstance(path, str) and not os.path.exists(path):
            raise ValueError(f"no such file or directory: {path!r}")
    return value


# The longest wait a socket or a lock accepts: longer timeouts overflow, so None means "none".
MAX_SECONDS = threading.TIMEOUT_MAX


def _check_timeout(value: Any) -> Any:
    if isinstance(value, httpx.Timeout):
        for phase, seconds in value.as_dict().items():
            if seconds is not None and not 0 < seconds <= MAX_SECONDS:
                raise ValueError(
                    f"the {phase} timeout must be more than 0 and at most {MAX_SECONDS:.0f} "
                    f"seconds (None for no timeout), not {seconds!r}"
                )
    return value


def _check_model(value: Any) -> Any:
    """A `response_model` pydantic can validate with: the adapter is built (and kept) now."""
    try:
        response_adapter(value)
    except Exception as exc:  # pydantic's PydanticSchemaGenerationError, TypeError...
        raise ValueError(f"{value!r} is not a type pydantic can validate: {exc}") from None
    return value


@lru_cache(maxsize=256)
def response_adapter(model: Any) -> TypeAdapter[Any]:
    """The `TypeAdapter` of a `response_model`, built once per type."""
    return TypeAdapter(model)


NonNegFloat = Annotated[float, Field(ge=0, le=MAX_SECONDS, allow_inf_nan=False)]
# A timeout of 0 meant something different on every transport and mode (no timeout, an
# immediate failure, a reset): it is refused, None is "no timeout".
Seconds = Annotated[float, Field(gt=0, le=MAX_SECONDS, allow_inf_nan=False)]
NonNegInt = Annotated[int, Field(ge=0)]


class TimeoutOptions(TypedDict, total=False):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    connect: Seconds | None
    read: Seconds | None
    write: Seconds | None
    pool: Seconds | None
    total: Seconds | None


class RequestOptions(TypedDict, total=False):
    """Options accepted per request and, as defaults, by `create()`."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    base_url: Annotated[str | httpx.URL, AfterValidator(_check_base_url)] | None
    timeout: Annotated[
        Seconds | TimeoutOptions | httpx.Timeout | None, AfterValidator(_check_timeout)
    ]
    headers: Annotated[Mapping[str, str] | httpx.Headers, AfterValidator(_check_headers)]
    params: Annotated[
        Mapping[str, Any] | list[tuple[str, Any]] | str | httpx.QueryParams | None,
        AfterValidator(_check_params),
    ]
    json: Any
    data: Annotated[Mapping[str, Any] | str | bytes | None, AfterValidator(_check_data)]
    content: Annotated[Any, AfterValidator(_check_content)]
    files: Annotated[Mapping[str, Any] | list[tuple[str, Any]] | None, AfterValidator(_check_files)]
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
    keep_sensitive_headers_on_redirect: bool
    max_content_length: NonNegInt | None
    max_body_length: NonNegInt | None
    transform_request: list[Callable[..., Any]] | Callable[..., Any] | None
    transform_response: list[Callable[..., Any]] | Callable[..., Any] | None


class ClientOptions(RequestOptions, total=False):
    """Options only `create()` / `AxiosPython(config=...)` accept: they shape the connection pool."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    verify: bool | Annotated[str, AfterValidator(_check_path)] | ssl.SSLContext
    cert: Annotated[
        str | tuple[str, str] | tuple[str, str, str] | None, AfterValidator(_check_path)
    ]
    proxy: Annotated[str | httpx.URL | httpx.Proxy | None, AfterValidator(_check_proxy)]
    trust_env: bool
    http2: bool
    limits: httpx.Limits | None
    transport: BaseTransport | str | dict[str, BaseTransport | str] | None
    plugins: list[Any]
    autoload: bool
    redact: Redactor | None


class RequestSchema(RequestOptions, total=False):
    """What a request accepts: `RequestOptions`, and `response_model`, which the request
    methods take as a keyword of their own (so that type checkers see `Response[Model]`)."""

    __pydantic_config__ = _STRICT  # type: ignore[misc]
    response_model: Annotated[Any, AfterValidator(_check_model)] | None


REQUEST_KEYS = frozenset(RequestSchema.__annotations__) - {"__pydantic_config__"}
CLIENT_KEYS = frozenset(ClientOptions.__annotations__) - {"__pydantic_config__"}
CLIENT_ONLY_KEYS = CLIENT_KEYS - REQUEST_KEYS

_request_adapter: TypeAdapter[RequestSchema] = TypeAdapter(RequestSchema)
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
    errors = exc.errors(include_url=False)
    # For a union (timeout: number | dict | Timeout), pydantic reports every branch; the
    # telling error is a failed check, or one inside the branch the value's type matched.
    error = next((e for e in errors if e["type"] == "value_error" or len(e["loc"]) > 2), errors[0])
    loc = error["loc"]
    key = str(loc[0]) if loc else None
    where = "request option" if per_request else "config key"
    if error["type"] == "extra_forbidden" and len(loc) > 1:
        return _nested_key_error(loc, where)
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
    if len(loc) > 2:  # ('timeout', 'TimeoutOptions', 'read'): name the field inside
        inner = loc[-1]
        reason = f"{f'item {inner}' if isinstance(inner, int) else repr(inner)}: {reason}"
    code = "ERR_INVALID_URL" if key == "base_url" else "ERR_BAD_OPTION_VALUE"
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return ConfigError(f"invalid {where} {path!r}: {reason} (got {shown})", key=key, code=code)


# The mappings nested in an option, by the name pydantic gives their branch of a union.
_NESTED: dict[str, frozenset[str]] = {
    "TimeoutOptions": frozenset(TimeoutOptions.__annotations__) - {"__pydantic_config__"},
}


def _nested_key_error(loc: tuple[Any, ...], where: str) -> ConfigError:
    """`timeout={"totl": 1}`: name the nested key, the option it is in and the valid keys."""
    option, inner = str(loc[0]), str(loc[-1])
    valid = next((keys for name, keys in _NESTED.items() if name in map(str, loc)), frozenset())
    message = f"unknown key {inner!r} in {where} {option!r}"
    if valid:
        message += f" (valid keys: {', '.join(sorted(valid))})"
        close = difflib.get_close_matches(inner, sorted(valid), n=1, cutoff=0.6)
        if close:
            message += f"; did you mean {close[0]!r}?"
    return ConfigError(message, key=option, code="ERR_BAD_OPTION")
