"""What each log record says: message, arguments and `extra` fields. Pure code.

Every record carries these `extra` fields (so a JSON handler or a `%(http_status)s` format
works on every record):

===================  =========================================================================
`http_event`         `"request"`, `"response"` or `"error"`
`http_method`        `"GET"`, ...
`http_url`           the full URL, query secrets and URL passwords redacted
`http_status`        the status code; None on request records and errors without a response
`http_elapsed_ms`    float, from the attempt's start to the response headers (or the error);
                     None on request records
`http_attempt`       1 for the first attempt, 2 for the first retry, ... (None if unknown)
===================  =========================================================================

Request and response records add `http_headers` (a dict, secrets redacted) when
`log_headers=True`, and `http_body` (text, a summary such as `<1024 bytes image/png>`, or
`<streamed>`) when `log_body=True`; response records add `http_from_cache` and `http_timings_ms`
(the phases of `response.timings` the transport measured, in ms: `{"connect": 0.4, "wait": 2.1,
...}`; empty for a cache hit). Error records add
`http_error_code` (axios's code, e.g. `ERR_NETWORK`), `http_error_type` (the class name) and
`http_error_message`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from axios_python import Timings

from ._body import request_body, response_body

if TYPE_CHECKING:
    import httpx

    from axios_python import AxiosPythonError, Response

    from ._redact import Redactor

__all__ = ["Record", "Settings", "error_record", "request_record", "response_record"]

Record = tuple[str, tuple[Any, ...], dict[str, Any]]  # message, args, extra
_PHASES = tuple(field.name for field in fields(Timings))  # dns, connect, ..., receive


@dataclass(frozen=True)
class Settings:
    """What to put in records besides the fixed fields."""

    log_headers: bool
    log_body: bool
    max_body_length: int | None
    redactor: Redactor


def request_record(settings: Settings, request: httpx.Request, attempt: int | None) -> Record:
    """The record of one attempt's request, as it goes to the transport."""
    method = request.method
    url = settings.redactor.url(str(request.url))
    message = "HTTP request: %s %s"
    args: list[Any] = [method, url]
    if attempt is not None:
        message += " (attempt %d)"
        args.append(attempt)
    extra = _fields("request", method, url, None, None, attempt)
    return _with_details(settings, message, args, extra, request.headers, request_body, request)


def response_record(
    settings: Settings, response: Response, attempt: int | None, elapsed_ms: float | None
) -> Record:
    """The record of one attempt's response (before `validate_status` and interceptors)."""
    request = response.request
    method = request.method if request is not None else str(response.config.get("method", "?"))
    url = settings.redactor.url(str(request.url)) if request is not None else "?"
    status = response.status_code
    message = "HTTP response: %s %s -> %d %s"
    args: list[Any] = [method, url, status, response.reason_phrase]
    from_cache = bool(getattr(response, "from_cache", False))
    if from_cache:
        message += " (from cache)"
    message, args = _with_timing(message, args, elapsed_ms, attempt, "in")
    extra = _fields("response", method, url, status, elapsed_ms, attempt)
    extra["http_from_cache"] = from_cache
    extra["http_timings_ms"] = _timings_ms(response)
    return _with_details(settings, message, args, extra, response.headers, response_body, response)


def _with_details(
    settings: Settings,
    message: str,
    args: list[Any],
    extra: dict[str, Any],
    headers: Any,
    body_of: Callable[..., tuple[Any, bool]],
    message_of: Any,
) -> Record:
    """The record, with the (redacted) headers and body when the settings ask for them."""
    if settings.log_headers:
        redacted = settings.redactor.redact_headers(headers)
        message += " headers=%s"
        args.append(redacted)
        extra["http_headers"] = redacted
    if settings.log_body:
        body, is_summary = body_of(message_of, settings.max_body_length, settings.redactor)
        message, args = _with_body(message, args, body, is_summary)
        extra["http_body"] = body
    return message, tuple(args), extra


def error_record(
    settings: Settings, error: AxiosPythonError, attempt: int | None, elapsed_ms: float | None
) -> Record:
    """The record of a failed attempt: network error, timeout, status rejected by validate_status."""
    request = error.request
    url = settings.redactor.url(str(request.url)) if request is not None else "?"
    method = request.method if request is not None else str((error.config or {}).get("method", "?"))
    status = error.response.status_code if error.response is not None else None
    # every URL in the message, whatever its form (redirected, re-encoded by the library)
    text = settings.redactor.text(str(error))
    kind = type(error).__name__
    message = "HTTP error: %s %s -> "
    args: list[Any] = [method, url]
    if status is not None:
        message += "%d "
        args.append(status)
    message += "%s %s: %s"
    args += [error.code, kind, text]
    message, args = _with_timing(message, args, elapsed_ms, attempt, "after")
    extra = _fields("error", method, url, status, elapsed_ms, attempt)
    extra["http_error_code"] = error.code
    extra["http_error_type"] = kind
    extra["http_error_message"] = text
    return message, tuple(args), extra


def _fields(
    event: str,
    method: str,
    url: str,
    status: int | None,
    elapsed_ms: float | None,
    attempt: int | None,
) -> dict[str, Any]:
    return {
        "http_event": event,
        "http_method": method,
        "http_url": url,
        "http_status": status,
        "http_elapsed_ms": elapsed_ms,
        "http_attempt": attempt,
    }


def _with_timing(
    message: str, args: list[Any], elapsed_ms: float | None, attempt: int | None, word: str
) -> tuple[str, list[Any]]:
    if elapsed_ms is not None:
        message += f" {word} %.1f ms"
        args.append(elapsed_ms)
    if attempt is not None:
        message += " (attempt %d)"
        args.append(attempt)
    return message, args


def _with_body(message: str, args: list[Any], body: str, is_summary: bool) -> tuple[str, list[Any]]:
    if body:
        message += " body=%s"
        args.append(body if is_summary else repr(body))
    return message, args


def _timings_ms(response: Response) -> dict[str, float]:
    """The measured phases of `response.timings`, in milliseconds (JSON-friendly)."""
    timings = response.timings
    phases = ((name, getattr(timings, name)) for name in _PHASES)
    return {name: round(value * 1000, 3) for name, value in phases if value is not None}
