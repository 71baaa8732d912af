"""`LoggerPlugin`: a `logging` record for every request attempt, response and error.

```python
import logging
from axios_python import LoggerPlugin

logging.basicConfig(level=logging.DEBUG)
api.plugin(LoggerPlugin(level=logging.INFO, log_headers=False, log_body=True))
```

The plugin only observes: it never changes a config, what a request sends, or a response (it
notes when each attempt went out in the request's `extensions`, under a key of its own, for
elapsed times). Its hooks:

- `on_transport` (tryfirst, returns None): the request record, for the request as it is sent,
  with the attempt number the core passes to every per-attempt hook;
- `on_response` (trylast): the response record, at `level`;
- `on_error`: the error record, at `error_level`.

Every hook first asks `logger.isEnabledFor(...)` and returns at once when its level is off.
The records and their `extra` fields are described in `_records`; redaction in `_redact`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from time import perf_counter
from typing import Any

import axios_python
from axios_python import AxiosPythonError, Request, Response, hookimpl

from ._records import Record, Settings, error_record, request_record, response_record
from ._redact import (
    DEFAULT_REDACT_FIELDS,
    DEFAULT_REDACT_HEADERS,
    DEFAULT_REDACT_PARAMS,
    REDACTED,
    Redactor,
)
from ._version import __version__

__all__ = [
    "DEFAULT_REDACT_FIELDS",
    "DEFAULT_REDACT_HEADERS",
    "DEFAULT_REDACT_PARAMS",
    "REDACTED",
    "LoggerPlugin",
    "__version__",
]

DEFAULT_LOGGER = "axios_python"


class LoggerPlugin(axios_python.Plugin):
    """Logs each attempt's request and each response or error through `logging`.

    Args:
        level: the level of request and response records (an int, or a name like "DEBUG").
        log_headers: add request and response headers (secrets redacted) to the records.
        log_body: add request and response bodies: text truncated to `max_body_length`
            bytes, binary bodies summarised as `<N bytes TYPE>`, unread streams as `<streamed>`.
        logger: a logger name or a `logging.Logger` (default: the "axios_python" logger).
        error_level: the level of error records (network errors, timeouts, rejected statuses).
        max_body_length: bytes of body to show before `...(N more bytes)`; None: no limit.
        redact_headers: header names whose values are replaced by `[REDACTED]` (exact names
            or globs like "*token*", case-insensitive). Default: `DEFAULT_REDACT_HEADERS`;
            extend it with `(*DEFAULT_REDACT_HEADERS, "x-my-secret")`.
        redact_params: query parameters and form fields to redact (default
            `DEFAULT_REDACT_PARAMS`).
        redact_fields: JSON body keys to redact at any depth (default `DEFAULT_REDACT_FIELDS`).
    """

    name = "logger"

    def __init__(
        self,
        *,
        level: int | str = logging.INFO,
        log_headers: bool = False,
        log_body: bool = True,
        logger: str | logging.Logger = DEFAULT_LOGGER,
        error_level: int | str = logging.WARNING,
        max_body_length: int | None = 1024,
        redact_headers: Iterable[str] | None = None,
        redact_params: Iterable[str] | None = None,
        redact_fields: Iterable[str] | None = None,
    ) -> None:
        if max_body_length is not None and (
            isinstance(max_body_length, bool)
            or not isinstance(max_body_length, int)
            or max_body_length < 0
        ):
            raise ValueError(
                f"max_body_length must be an int >= 0 or None, not {max_body_length!r}"
            )
        if isinstance(logger, logging.Logger):
            self._logger = logger
        elif isinstance(logger, str):
            self._logger = logging.getLogger(logger)
        else:
            raise TypeError(
                f"logger must be a logger name or a logging.Logger, not {type(logger).__name__}"
            )
        self._level = _level(level, "level")
        self._error_level = _level(error_level, "error_level")
        # Enabled levels are monotone: some record is on exactly when the higher level is enabled.
        self._any_level = max(self._level, self._error_level)
        self._settings = Settings(
            log_headers=bool(log_headers),
            log_body=bool(log_body),
            max_body_length=max_body_length,
            redactor=Redactor(
                DEFAULT_REDACT_HEADERS if redact_headers is None else redact_headers,
                DEFAULT_REDACT_PARAMS if redact_params is None else redact_params,
                DEFAULT_REDACT_FIELDS if redact_fields is None else redact_fields,
            ),
        )
        # When each attempt's request went out, for elapsed times, is kept in the request's own
        # `extensions` under this key (one per plugin instance): a plain dict item, which goes
        # with the request, is far cheaper per request than a weak-keyed table.
        self._started_key = f"axios_python_logger.started.{id(self):x}"

    # --- read-only options ---------------------------------------------------------------

    @property
    def logger(self) -> logging.Logger:
        return self._logger

    @property
    def level(self) -> int:
        return self._level

    @property
    def error_level(self) -> int:
        return self._error_level

    @property
    def log_headers(self) -> bool:
        return self._settings.log_headers

    @property
    def log_body(self) -> bool:
        return self._settings.log_body

    @property
    def max_body_length(self) -> int | None:
        return self._settings.max_body_length

    def __repr__(self) -> str:
        return (
            f"LoggerPlugin(level={logging.getLevelName(self._level)}, "
            f"log_headers={self.log_headers}, log_body={self.log_body}, "
            f"logger={self._logger.name!r})"
        )

    # --- hooks ---------------------------------------------------------------------------

    @hookimpl(tryfirst=True)
    def on_transport(self, request: Request, attempt: int) -> None:
        logger = self._logger
        if not logger.isEnabledFor(self._any_level):
            return None
        request.extensions[self._started_key] = perf_counter()
        if logger.isEnabledFor(self._level):
            self._emit(self._level, "request", request_record, self._settings, request, attempt)
        return None

    @hookimpl(trylast=True)
    def on_response(self, response: Response, attempt: int) -> None:
        if not self._logger.isEnabledFor(self._level):
            return None
        elapsed_ms = self._elapsed_ms(response.request)
        self._emit(
            self._level, "response", response_record, self._settings, response, attempt, elapsed_ms
        )
        return None

    def on_error(self, error: AxiosPythonError, attempt: int) -> None:
        if not self._logger.isEnabledFor(self._error_level):
            return None
        elapsed_ms = self._elapsed_ms(error.request)
        self._emit(
            self._error_level, "error", error_record, self._settings, error, attempt, elapsed_ms
        )
        return None

    # --- helpers -------------------------------------------------------------------------

    def _elapsed_ms(self, request: Any) -> float | None:
        extensions = getattr(request, "extensions", None)
        started = extensions.pop(self._started_key, None) if isinstance(extensions, dict) else None
        return None if started is None else round((perf_counter() - started) * 1000, 3)

    def _emit(self, level: int, event: str, build: Any, *args: Any) -> None:
        """Build and log one record; a failure to build it never fails the request."""
        try:
            record: Record = build(*args)
        except Exception:
            self._logger.log(
                level, "HTTP %s: the log record could not be built", event, exc_info=True
            )
            return
        message, message_args, extra = record
        self._logger.log(level, message, *message_args, extra=extra)


def _level(value: int | str, option: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"{option} must be a logging level (int or name), not {value!r}")
    if isinstance(value, str):
        resolved = logging.getLevelName(value.upper())
        if not isinstance(resolved, int):
            raise ValueError(f"{option}: unknown logging level {value!r}")
        return resolved
    return value
