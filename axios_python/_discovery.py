"""Finding installed plugins through the `axios_python.plugins` entry point group.

An entry point's name is the plugin's name; its object is a plugin class or factory that takes
keyword options::

    [project.entry-points."axios_python.plugins"]
    cache = "axios_python_cache:CachePlugin"

Nothing is loaded at `import axios_python`. A broken entry point (ImportError, wrong type)
produces a warning naming its distribution and is skipped. Process-wide activation, for
enterprise bundles: `AXIOS_PYTHON_PLUGINS="cache,logger"` registers those plugins (default
options) on every client created afterwards; `AXIOS_PYTHON_DISABLE_PLUGIN_AUTOLOAD=1` turns that
off (tests use it for a clean slate).
"""

from __future__ import annotations

import inspect
import os
import warnings
from dataclasses import dataclass, field, replace
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from ._exceptions import ConfigError

__all__ = [
    "ENTRY_POINT_GROUP",
    "TRANSPORT_GROUP",
    "PluginInfo",
    "autoload_names",
    "discover",
    "load_plugin",
    "load_transport",
]

ENTRY_POINT_GROUP = "axios_python.plugins"
TRANSPORT_GROUP = "axios_python.transports"
ENV_PLUGINS = "AXIOS_PYTHON_PLUGINS"
ENV_DISABLE = "AXIOS_PYTHON_DISABLE_PLUGIN_AUTOLOAD"
_HOOK_NAMES = ("on_register", "on_request", "on_transport", "on_response", "on_error")


class PluginLoadWarning(UserWarning):
    """An installed plugin could not be loaded and was skipped."""


@dataclass(frozen=True)
class PluginInfo:
    """One installed plugin, as the `axios-python plugins` command lists it."""

    name: str
    distribution: str
    version: str
    value: str
    factory: Any = field(default=None, repr=False)
    hooks: tuple[str, ...] = ()
    error: str | None = None


def discover() -> list[PluginInfo]:
    """Every plugin installed in this environment, broken ones included (with `error` set)."""
    return [
        _inspect(ep) for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
    ]


def _inspect(ep: EntryPoint) -> PluginInfo:
    dist = ep.dist
    distribution = dist.name if dist is not None else "<unknown>"
    version = dist.version if dist is not None else "?"
    info = PluginInfo(ep.name, distribution, version, ep.value)
    try:
        factory = ep.load()
    except Exception as exc:  # a broken plugin must never break the host
        return replace(info, error=f"{type(exc).__name__}: {exc}")
    if not callable(factory):
        kind = type(factory).__name__
        return replace(info, error=f"{ep.value} is a {kind}, not a plugin class or factory")
    return replace(info, factory=factory, hooks=_hooks_of(factory))


def _hooks_of(factory: Any) -> tuple[str, ...]:
    from ._plugins import Plugin

    cls = factory if inspect.isclass(factory) else None
    if cls is None:
        return ()
    hooks = []
    for hook in _HOOK_NAMES:
        impl = getattr(cls, hook, None)
        marked = impl is not None and hasattr(impl, "axios_python_impl")
        overridden = issubclass(cls, Plugin) and impl is not getattr(Plugin, hook)
        if marked or overridden:
            hooks.append(hook)
    return tuple(hooks)


def load_plugin(name: str, **options: Any) -> Any:
    """Instantiate the installed plugin called `name` with `options`."""
    infos = {info.name: info for info in discover()}
    info = infos.get(name)
    if info is None:
        known = ", ".join(sorted(infos)) or "none"
        raise ConfigError(
            f"no installed plugin named {name!r} (installed: {known}); plugins register under the "
            f"{ENTRY_POINT_GROUP!r} entry point group",
            key="plugins",
        )
    if info.error is not None:
        raise ConfigError(
            f"plugin {name!r} from {info.distribution} is broken: {info.error}", key="plugins"
        )
    try:
        return info.factory(**options)
    except TypeError as exc:
        raise ConfigError(
            f"plugin {name!r} rejected its options {options!r}: {exc}", key="plugins"
        ) from exc


def load_transport(name: str, **options: Any) -> Any:
    """Instantiate the installed transport called `name` (group `axios_python.transports`).

    `options` are the client-only options given to `create()` (verify, proxy, limits, ...).
    """
    from ._transports.base import BaseTransport

    found = {ep.name: ep for ep in entry_points(group=TRANSPORT_GROUP)}
    ep = found.get(name)
    if ep is None:
        known = ", ".join(sorted(found)) or "none"
        hint = f' (pip install "axios-python[{name}]"?)' if name == "aiohttp" else ""
        raise ConfigError(
            f"no installed transport named {name!r}; installed: {known}{hint}", key="transport"
        )
    try:
        factory = ep.load()
        transport = factory(**options)
    except ConfigError:
        raise
    except Exception as exc:
        dist = ep.dist.name if ep.dist is not None else "<unknown>"
        raise ConfigError(
            f"transport {name!r} from {dist} could not be created: {type(exc).__name__}: {exc}",
            key="transport",
        ) from exc
    if not isinstance(transport, BaseTransport):
        raise ConfigError(f"transport {name!r} did not produce a BaseTransport", key="transport")
    return transport


def autoload_names() -> list[str]:
    """The plugin names `AXIOS_PYTHON_PLUGINS` asks for, unless autoload is disabled."""
    if os.environ.get(ENV_DISABLE, "").strip().lower() in ("1", "true", "yes", "on"):
        return []
    raw = os.environ.get(ENV_PLUGINS, "")
    return [name.strip() for name in raw.split(",") if name.strip()]


def autoload() -> list[Any]:
    """Instantiate the `AXIOS_PYTHON_PLUGINS` plugins; warn about (and skip) broken ones."""
    plugins = []
    for name in autoload_names():
        plugin = _try_load(name)
        if plugin is not None:
            plugins.append(plugin)
    return plugins


def _try_load(name: str) -> Any:
    try:
        return load_plugin(name)
    except ConfigError as exc:
        warnings.warn(f"{ENV_PLUGINS}: {exc}", PluginLoadWarning, stacklevel=4)
        return None
