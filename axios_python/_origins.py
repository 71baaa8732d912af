"""`HostPolicy`: which requests may carry something meant for trusted hosts only (credentials,
trace headers): the client's own origin, plus hosts the user lists.

Used by AuthPlugin (`allowed_hosts`) and OtelPlugin (`propagate_to`). Pure code (no I/O).
An origin is `(scheme, host, port)` with the default port filled in, so
`https://api.example.com` and `https://api.example.com:443` are the same origin, while
`http://api.example.com` (a downgrade) and `https://api.example.com:8443` are not.

Entries of the host list:

```
"https://api.example.com"         exactly that origin (scheme, host and port)
"https://api.example.com:8443"
"api.example.com"                 that host, over http or https, on any port
"api.example.com:8443"            that host and port, over http or https
"*.example.com"                   any subdomain of example.com (not example.com itself)
```
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import httpx

__all__ = ["HostPolicy", "Origin", "origin_of"]

Origin = tuple[str, str, int]
_DEFAULT_PORTS = {"http": 80, "https": 443}
_CACHE_SIZE = 64  # origins and base URLs remembered
_URL_CACHE_SIZE = 1024  # whole absolute URLs remembered


def origin_of(url: httpx.URL) -> Origin | None:
    """`(scheme, host, port)` of an absolute http(s) URL, or None."""
    scheme = url.scheme
    default = _DEFAULT_PORTS.get(scheme)
    if default is None or not url.host:
        return None
    return (scheme, url.host, url.port or default)


class HostPolicy:
    """Decides, per request config or URL, whether the request goes to a trusted origin.

    ```python
    policy = HostPolicy(["*.example.com"])
    policy.add_base_url("https://api.example.org")
    policy.allows_url(httpx.URL("https://api.example.org/x"))  # True
    policy.allows({"url": "/users", "base_url": "https://api.example.org"})  # True
    ```

    Args:
        entries: the trusted hosts or origins, in the forms of the module docstring.
        allow_any: trust every host (only for clients that talk to one trusted service).
        option: the name of the option the entries come from, for error messages.

    Entries are checked when the policy is built (`ValueError` names a bad one; a single string
    instead of a list is a `TypeError`). `add_base_url()` trusts a client's `base_url` origin:
    a plugin calls it when registered.
    """

    origin_of = staticmethod(origin_of)

    def __init__(
        self, entries: Iterable[str] = (), *, allow_any: bool = False, option: str = "allowed_hosts"
    ) -> None:
        if isinstance(entries, (str, bytes)):
            raise TypeError(f"{option} must be a list of hosts, not a single string")
        origins: set[Origin] = set()
        hosts: set[str] = set()
        host_ports: set[tuple[str, int]] = set()
        suffixes: list[str] = []
        for entry in entries:
            _parse_entry(entry, origins, hosts, host_ports, suffixes, option)
        self.allow_any = allow_any
        self._entries = tuple(entries)
        self._lock = threading.Lock()
        self._origins = frozenset(origins)
        self._hosts = frozenset(hosts)
        self._host_ports = frozenset(host_ports)
        self._suffixes = tuple(suffixes)
        self._bases: dict[Any, bool] = {}  # base_url or scheme://netloc -> decision
        self._urls: dict[str, bool] = {}  # absolute URL string -> decision

    @property
    def empty(self) -> bool:
        """True when no request goes to a trusted origin."""
        return not (
            self.allow_any or self._origins or self._hosts or self._host_ports or self._suffixes
        )

    def add_base_url(self, base_url: Any) -> None:
        """Trust the origin of `base_url` (a client's own origin). None or a bad URL adds nothing."""
        if not base_url:
            return
        try:
            origin = origin_of(httpx.URL(str(base_url)))
        except (httpx.InvalidURL, TypeError, ValueError):
            return
        if origin is None:
            return
        with self._lock:
            self._origins = self._origins | {origin}
            self._bases = {}
            self._urls = {}

    def allows(self, config: Mapping[str, Any]) -> bool:
        """Whether the request `config` describes goes to a trusted origin."""
        if self.allow_any:
            return True
        url = config.get("url")
        base = config.get("base_url")
        if type(url) is not str:
            return self._allows_target(base, url)
        # Taken before deciding: if add_base_url() replaces the dicts meanwhile, a decision
        # made with the old origins goes to the old dicts, not to the new ones.
        urls, bases = self._urls, self._bases
        # The common case, a URL seen before, costs one dict lookup (most requests of a client
        # go to a few URLs). Only absolute URLs are remembered: their decision does not depend
        # on base_url.
        decision = urls.get(url)
        if decision is not None:
            return decision
        if url[:1] == "/" and url[1:2] != "/":
            # A path: it goes to base_url's origin. Decided once per base_url.
            return _remembered(bases, base, lambda: self._allows_base(base), _CACHE_SIZE)
        prefix = _origin_prefix(url)
        if prefix is None:
            return self._allows_target(base, url)
        # An absolute URL: only its origin matters. Decided once per scheme://netloc.
        decision = _remembered(
            bases, prefix, lambda: self._allows_target(base, prefix + "/"), _CACHE_SIZE
        )
        return _remembered(urls, url, lambda: decision, _URL_CACHE_SIZE)

    def allows_url(self, url: httpx.URL) -> bool:
        """Whether the absolute `url` is on a trusted origin."""
        if self.allow_any:
            return True
        origin = origin_of(url)
        if origin is None:
            return False
        if origin in self._origins or origin[1] in self._hosts:
            return True
        if (origin[1], origin[2]) in self._host_ports:
            return True
        return any(origin[1].endswith(suffix) for suffix in self._suffixes)

    def _allows_base(self, base: Any) -> bool:
        if not base:
            return False
        try:
            return self.allows_url(httpx.URL(str(base)))
        except (httpx.InvalidURL, TypeError, ValueError):
            return False

    def _allows_target(self, base: Any, url: Any) -> bool:
        """The origin the request will go to, as the core joins `url` onto `base_url`."""
        try:
            target = httpx.URL(url if isinstance(url, httpx.URL) else str(url))
        except (httpx.InvalidURL, TypeError, ValueError):
            return False
        if not target.is_relative_url:
            return self.allows_url(target)
        if not base:
            return False
        try:
            base_url = httpx.URL(str(base))
        except (httpx.InvalidURL, TypeError, ValueError):
            return False
        if target.host:  # "//host/path": judge the host it names, whatever the core does with it
            return self.allows_url(
                base_url.copy_with(host=target.host, port=target.port, raw_path=b"/")
            )
        return self.allows_url(base_url)

    def __repr__(self) -> str:
        if self.allow_any:
            return "<HostPolicy any host>"
        origins = sorted(f"{scheme}://{host}:{port}" for scheme, host, port in self._origins)
        return f"<HostPolicy origins={origins} allowed_hosts={list(self._entries)}>"


def _origin_prefix(url: str) -> str | None:
    """`scheme://netloc` of an absolute http(s) URL, or None for anything else."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("http", "https"):
        return None
    cut = min((i for i in map(rest.find, "/?#") if i >= 0), default=len(rest))
    return url[: len(scheme) + 3 + cut]


def _remembered(table: dict[Any, bool], key: Any, decide: Callable[[], bool], size: int) -> bool:
    """The decision for `key`, made once and remembered (a full table starts over)."""
    decision = table.get(key)
    if decision is None:
        decision = decide()
        if len(table) >= size:
            table.clear()
        table[key] = decision
    return decision


def _parse_entry(
    entry: object,
    origins: set[Origin],
    hosts: set[str],
    host_ports: set[tuple[str, int]],
    suffixes: list[str],
    option: str,
) -> None:
    if not isinstance(entry, str) or not entry.strip():
        raise ValueError(f"{option} entries must be non-empty str, not {entry!r}")
    text = entry.strip()
    if text.startswith("*."):
        domain = text[2:].lower().rstrip(".")
        if not domain or "/" in domain or ":" in domain or "*" in domain:
            raise ValueError(f"{option} entry {entry!r}: write a wildcard as '*.example.com'")
        suffixes.append("." + domain)
        return
    explicit = "://" in text
    try:
        # A scheme without a default port, so that "host:80" keeps its port.
        url = httpx.URL(text if explicit else "host://" + text)
    except httpx.InvalidURL as exc:
        raise ValueError(f"{option} entry {entry!r} is not a host or origin: {exc}") from exc
    if url.raw_path not in (b"", b"/") or url.query or url.fragment or url.userinfo:
        raise ValueError(f"{option} entry {entry!r} must be a host or an origin, no path")
    if explicit:
        origin = origin_of(url)
        if origin is None:
            raise ValueError(f"{option} entry {entry!r}: only http:// and https:// origins")
        origins.add(origin)
    elif not url.host or "*" in url.host:
        raise ValueError(f"{option} entry {entry!r} is not a host or origin")
    elif url.port is None:
        hosts.add(url.host)
    else:
        host_ports.add((url.host, url.port))
