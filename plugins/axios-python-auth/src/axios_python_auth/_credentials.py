"""Tokens and `Authorization` values: validation, formatting, and a snapshot that hides them.

Pure code. Nothing here ever puts a token into a message: problems are described by the type
and the kind of defect, never by the value.
"""

from __future__ import annotations

import base64

__all__ = ["MARK", "Credentials", "basic_token", "check_scheme", "header_value", "token_problem"]

# The config key an attempt carries when an AuthPlugin attached its credentials to it. Its value
# is `Credentials.mark`: (plugin name, credentials generation), never the token. The refresh
# middleware reads it to tell "our token was rejected" from "someone else's header was", and a
# stale token from the current one; a later AuthPlugin reads it to know the header it finds was
# set by another AuthPlugin, not by the user.
MARK = "_axios_python_auth"


class Credentials:
    """What one plugin sends now. Immutable: a refresh replaces the whole snapshot at once.

    `generation` counts successful refreshes. `header` is the `Authorization` value: with a
    static token always set; with a `token_provider` it is the value a refresh returned (None
    when the provider alone decides), used while the provider still returns `rejected`, the
    value the server refused. `mark` is the value of `config[MARK]`, built once.
    """

    __slots__ = ("generation", "header", "mark", "rejected")

    def __init__(
        self, owner: str, generation: int, header: str | None, rejected: str | None = None
    ) -> None:
        self.generation = generation
        self.header = header
        self.rejected = rejected
        self.mark = (owner, generation)

    def __repr__(self) -> str:
        return f"<Credentials of {self.mark[0]!r} generation={self.generation}>"


def token_problem(value: object) -> str | None:
    """What is wrong with `value` as a token, or None. Describes it without revealing it."""
    if not isinstance(value, str):
        return f"a {type(value).__name__}, not a str"
    if not value:
        return "an empty str"
    if not (value.isascii() and value.isprintable()):
        return f"a str of {len(value)} characters with control or non-ASCII characters"
    return None


def check_scheme(scheme: object) -> str | None:
    """What is wrong with `scheme` (`"Bearer"`, `"Basic"`, `""` for a bare token), or None."""
    if not isinstance(scheme, str):
        return f"scheme must be a str, not {type(scheme).__name__}"
    if scheme and not (scheme.isascii() and scheme.isprintable() and " " not in scheme):
        return "scheme must be one word of printable ASCII characters, such as 'Bearer'"
    return None


def header_value(scheme: str, token: str) -> str:
    """The `Authorization` value: `"<scheme> <token>"`, or the bare token when scheme is ``""``."""
    return f"{scheme} {token}" if scheme else token


def basic_token(username: str, password: str) -> str:
    """RFC 7617 credentials: base64 of `username:password`, UTF-8 encoded."""
    return base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
