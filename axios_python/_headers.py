"""HTTP's header grammar (RFC 9110 5.1, 5.5, 9.1), written once.

- a header name, and a method, is a token: `tchar`s only;
- a header value the options accept is visible ASCII, space and tab (`FIELD_VALUE`);
- a header of a built request, whoever set it (a hook runs after validation), may carry
  anything but CR, LF and NUL (`check_header_fields`): no header injection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ._exceptions import ConfigError

__all__ = ["FIELD_VALUE", "TOKEN", "check_header_fields", "is_token"]

_TCHAR = r"!#$%&'*+\-.^_`|~0-9A-Za-z"  # RFC 9110 5.6.2, as a regex character class
TOKEN = re.compile(f"[{_TCHAR}]+")
_TOKEN_BYTES = re.compile(f"[{_TCHAR}]+".encode())
FIELD_VALUE = re.compile(r"[\t\x20-\x7e]*")  # visible ASCII, space and tab
_SAFE_VALUE_BYTES = re.compile(rb"[^\r\n\x00]*")


def is_token(text: str) -> bool:
    """Whether `text` is an HTTP token (a header name, a method)."""
    return TOKEN.fullmatch(text) is not None


def check_header_fields(raw: Iterable[tuple[bytes, bytes]]) -> None:
    """Refuse, before any I/O, a header name that is not an HTTP token or a value with a
    newline or NUL (header injection), whoever set it: a hook runs after validation."""
    for name, value in raw:
        if not _TOKEN_BYTES.fullmatch(name):
            raise ConfigError(f"invalid header name {name!r}", key="headers")
        if not _SAFE_VALUE_BYTES.fullmatch(value):
            raise ConfigError(
                f"header {name.decode('ascii')!r} contains a newline or NUL (header injection)",
                key="headers",
            )
