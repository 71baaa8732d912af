"""Redaction of secrets before anything is logged: the core's one policy.

`Redactor` and the default name lists live in `axios_python.redaction`, shared with error
messages, redirects and every other plugin; the names below are kept for this plugin's users
(`DEFAULT_REDACT_HEADERS` is `DEFAULT_SENSITIVE_HEADERS`, ...).
"""

from __future__ import annotations

from axios_python.redaction import (
    DEFAULT_SENSITIVE_FIELDS,
    DEFAULT_SENSITIVE_HEADERS,
    DEFAULT_SENSITIVE_PARAMS,
    REDACTED,
    Redactor,
    name_matcher,
)

__all__ = [
    "DEFAULT_REDACT_FIELDS",
    "DEFAULT_REDACT_HEADERS",
    "DEFAULT_REDACT_PARAMS",
    "REDACTED",
    "Redactor",
    "name_matcher",
]

DEFAULT_REDACT_HEADERS = DEFAULT_SENSITIVE_HEADERS
DEFAULT_REDACT_PARAMS = DEFAULT_SENSITIVE_PARAMS
DEFAULT_REDACT_FIELDS = DEFAULT_SENSITIVE_FIELDS
