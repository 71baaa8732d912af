"""`TransportPair`: sync calls to one transport, async calls to another, one cookie jar."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from .._exceptions import ConfigError
from .._models import Request, Response
from .base import BaseTransport

__all__ = ["FAST", "TransportPair", "make_pair"]

# transport="fast": the fastest installed pair (extra axios-python[fast])
FAST = {"sync": "urllib3", "async": "aiohttp"}
_KINDS = ("sync", "async")


class TransportPair(BaseTransport):
    """Sends sync calls with `sync` and async calls with `async_`, sharing `sync`'s cookie jar.

    `create({"transport": {"sync": "urllib3", "async": "aiohttp"}})` (or `"fast"`) builds one;
    so does `TransportPair(sync=..., async_=...)` with transport objects. Each side must send
    its kind of call itself (`BaseTransport.sends`): a pair that would hand a call on to a third
    transport is refused with `ConfigError`. The cookie jar is shared when both sides keep one
    in `.cookies` (an `httpx.Cookies`), as every `BaseTransport` does: the core's exchange
    applies and fills it above each side.
    """

    def __init__(self, *, sync: BaseTransport, async_: BaseTransport) -> None:
        for kind, transport in zip(_KINDS, (sync, async_), strict=True):
            if not isinstance(transport, BaseTransport):
                raise ConfigError(
                    f"transport pair: {kind!r} must be a BaseTransport or the name of an "
                    f"installed transport, not {type(transport).__name__}",
                    key="transport",
                )
            if kind not in transport.sends:
                raise ConfigError(
                    f"transport pair: {type(transport).__name__} cannot be the {kind!r} side: it "
                    f"sends {' and '.join(sorted(transport.sends))} calls only",
                    key="transport",
                )
        self.sync = sync
        self.async_ = async_
        jar, other = getattr(sync, "cookies", None), getattr(async_, "cookies", None)
        if isinstance(jar, httpx.Cookies) and isinstance(other, httpx.Cookies):
            other.jar = jar.jar  # every holder of `other` (a fallback transport too) shares it

    def send(self, request: Request) -> Response:
        return self.sync.send(request)

    async def send_async(self, request: Request) -> Response:
        return await self.async_.send_async(request)

    def close(self) -> None:
        self.sync.close()
        self.async_.close()

    async def aclose(self) -> None:
        await self.sync.aclose()
        await self.async_.aclose()

    def __repr__(self) -> str:
        return f"<TransportPair sync={self.sync!r} async={self.async_!r}>"


def make_pair(spec: str | Mapping[str, Any], options: dict[str, Any]) -> TransportPair:
    """The pair for `transport="fast"` or `{"sync": ..., "async": ...}` (names or objects;
    a missing side is "httpx"). `options` (verify, proxy, ...) go to each named transport."""
    from .._discovery import load_transport

    if isinstance(spec, str):  # "fast"
        spec = FAST
        missing = _missing(FAST.values())
        if missing:
            raise ConfigError(
                f'transport "fast" needs the {" and ".join(missing)} transport(s), which are not '
                'installed: pip install "axios-python[fast]"',
                key="transport",
            )
    unknown = sorted(str(key) for key in spec if key not in _KINDS)
    if unknown:
        raise ConfigError(
            f"transport pair: unknown key(s) {', '.join(map(repr, unknown))}; "
            'give {"sync": ..., "async": ...}',
            key="transport",
        )
    sides: dict[str, BaseTransport] = {}
    for kind in _KINDS:
        value = spec.get(kind, "httpx")
        if isinstance(value, str):
            value = load_transport(value, **options)
        elif set(options) - {"max_redirects"} and isinstance(value, BaseTransport):
            keys = ", ".join(sorted(set(options) - {"max_redirects"}))
            raise ConfigError(
                f"{keys} configure named transports; give them to your own {kind!r} transport "
                "instead",
                key="transport",
            )
        sides[kind] = value
    return TransportPair(sync=sides["sync"], async_=sides["async"])


def _missing(names: Any) -> list[str]:
    from importlib.metadata import entry_points

    from .._discovery import TRANSPORT_GROUP

    installed = {ep.name for ep in entry_points(group=TRANSPORT_GROUP)}
    return [name for name in names if name not in installed]
