"""Finding installed plugins, transports and bundles through entry points, lazily.

An entry point's name is the plugin's name; its object is a plugin class or factory that takes
keyword options::

    [project.entry-points."axios_python.plugins"]
    cache = "axios_python_cache:CachePlugin"

Nothing is loaded at `import axios_python`. Asking for one plugin by name reads the
installed distributions' entry point metadata and imports that plugin's module only; listing
plugins (`discover()`) reads metadata only, and a `PluginInfo` imports its plugin when its
`factory`, `hooks` or `error` is first asked for. What was found is remembered (until
`sys.path` changes), so the second client asking for a plugin pays nothing for the search.

A broken entry point (ImportError, wrong type) never breaks the host: activation by name raises
a `ConfigError` naming its distribution; environment activation warns (`PluginLoadWarning`) and
skips it.

Environment (and configuration file) activation, for platform teams (docs/bundles.md):

- `AXIOS_PYTHON_PLUGINS="cache,acme"`: plugin or bundle names, registered on every client.
- `AXIOS_PYTHON_PLUGINS_CONFIG=/path/axios-python.toml`: `activate`, `disable` and per-plugin
  `[options.NAME]` tables (or a `pyproject.toml`, whose `[tool.axios-python]` table is read).
- `AXIOS_PYTHON_DISABLE_PLUGINS="acme-tracing"`: names never activated from the environment.
- `AXIOS_PYTHON_DISABLE_PLUGIN_AUTOLOAD=1`: no environment activation at all.
- A bundle distribution declares its plugins and their default options with an entry point
  in the `axios_python.bundles` group whose object is a mapping `{plugin_name: {options}}`.
"""

from __future__ import annotations

import functools
import inspect
import os
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from ._exceptions import ConfigError
from ._known import DISTRIBUTIONS as KNOWN_DISTRIBUTIONS
from ._known import install_hint
from ._plugins import HOOK_NAMES

__all__ = [
    "BUNDLE_GROUP",
    "ENTRY_POINT_GROUP",
    "KNOWN_DISTRIBUTIONS",
    "TRANSPORT_GROUP",
    "Activation",
    "ActivationPlan",
    "PluginInfo",
    "PluginLoadWarning",
    "activation_plan",
    "discover",
    "install_hint",
    "load_plugin",
    "load_transport",
]

ENTRY_POINT_GROUP = "axios_python.plugins"
TRANSPORT_GROUP = "axios_python.transports"
BUNDLE_GROUP = "axios_python.bundles"
ENV_PLUGINS = "AXIOS_PYTHON_PLUGINS"
ENV_CONFIG = "AXIOS_PYTHON_PLUGINS_CONFIG"
ENV_DISABLED = "AXIOS_PYTHON_DISABLE_PLUGINS"
ENV_DISABLE = "AXIOS_PYTHON_DISABLE_PLUGIN_AUTOLOAD"
ENV_NAMES = (ENV_PLUGINS, ENV_CONFIG, ENV_DISABLED, ENV_DISABLE)


class PluginLoadWarning(UserWarning):
    """An installed plugin could not be loaded (or activated) and was skipped."""


# --- entry points, remembered ------------------------------------------------------------

_seen_path: list[str] = []
_entry_points: dict[tuple[str, str], EntryPoint | None] = {}
_infos: dict[str, PluginInfo] = {}


def _fresh() -> None:
    """Forget what was found when `sys.path` changed (a distribution appeared or went)."""
    global _seen_path
    if _seen_path != sys.path:
        _entry_points.clear()
        _infos.clear()
        _plan_cache.clear()
        _seen_path = list(sys.path)


def _entry_point(group: str, name: str) -> EntryPoint | None:
    """The entry point `name` of `group`, read from metadata only (nothing is imported)."""
    _fresh()
    key = (group, name)
    try:
        return _entry_points[key]
    except KeyError:
        pass
    found = next(iter(entry_points(group=group, name=name)), None)
    _entry_points[key] = found
    return found


def _names(group: str) -> list[str]:
    return sorted({ep.name for ep in entry_points(group=group)})


class PluginInfo:
    """One installed plugin, from its entry point's metadata.

    `factory`, `hooks` and `error` import the plugin's module on first use (and only its).
    """

    def __init__(self, entry_point: EntryPoint) -> None:
        self.entry_point = entry_point
        self.name = entry_point.name
        self.value = entry_point.value
        dist = entry_point.dist
        self.distribution = dist.name if dist is not None else "<unknown>"
        self.version = dist.version if dist is not None else "?"

    @cached_property
    def _loaded(self) -> tuple[Any, str | None]:
        try:
            factory = self.entry_point.load()
        except Exception as exc:  # a broken plugin must never break the host
            return None, f"{type(exc).__name__}: {exc}"
        if not callable(factory):
            kind = type(factory).__name__
            return None, f"{self.value} is a {kind}, not a plugin class or factory"
        return factory, None

    @property
    def factory(self) -> Any:
        return self._loaded[0]

    @property
    def error(self) -> str | None:
        return self._loaded[1]

    @property
    def hooks(self) -> tuple[str, ...]:
        return _hooks_of(self.factory) if self.factory is not None else ()

    def __repr__(self) -> str:
        return f"<PluginInfo {self.name} from {self.distribution} {self.version}: {self.value}>"


def discover() -> list[PluginInfo]:
    """Every plugin installed in this environment, from metadata only (nothing is imported)."""
    return [
        _info_of(ep) for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
    ]


def _info_of(ep: EntryPoint) -> PluginInfo:
    _fresh()
    info = _infos.get(ep.name)
    if info is None or info.entry_point != ep:
        info = _infos[ep.name] = PluginInfo(ep)
    return info


def plugin_info(name: str) -> PluginInfo | None:
    """The installed plugin called `name` (metadata only), or None."""
    _fresh()
    info = _infos.get(name)
    if info is None:
        ep = _entry_point(ENTRY_POINT_GROUP, name)
        if ep is None:
            return None
        info = _infos[name] = PluginInfo(ep)
    return info


def _hooks_of(factory: Any) -> tuple[str, ...]:
    from ._plugins import Plugin

    cls = factory if inspect.isclass(factory) else None
    if cls is None:
        return ()
    hooks = []
    for hook in HOOK_NAMES:
        impl = getattr(cls, hook, None)
        marked = impl is not None and hasattr(impl, "axios_python_impl")
        overridden = issubclass(cls, Plugin) and impl is not getattr(Plugin, hook)
        if marked or overridden:
            hooks.append(hook)
    return tuple(hooks)


# --- loading ---------------------------------------------------------------------------


def load_plugin(name: str, **options: Any) -> Any:
    """Instantiate the installed plugin called `name` with `options`.

    Options from the configuration file's `[options.NAME]` table are the defaults; `options`
    win over them.
    """
    info = plugin_info(name)
    if info is None:
        known = ", ".join(_names(ENTRY_POINT_GROUP)) or "none"
        raise ConfigError(
            f"no installed plugin named {name!r}{install_hint(name)} (installed: {known}); "
            f"plugins register under the {ENTRY_POINT_GROUP!r} entry point group",
            key="plugins",
        )
    configured = activation_plan().options.get(name)
    if configured is not None:
        options = {**configured.options, **options}
        return instantiate(info, options, where=configured.origin)
    return instantiate(info, options)


def instantiate(info: PluginInfo, options: Mapping[str, Any], where: str | None = None) -> Any:
    """`info.factory(**options)`, with errors naming the plugin (and `where` its options are
    from) and the option at fault."""
    if info.error is not None:
        raise ConfigError(
            f"plugin {info.name!r} from {info.distribution} is broken: {info.error}",
            key="plugins",
        )
    prefix = f"{where}: " if where else ""
    factory = info.factory
    _check_options(info, factory, options, prefix)
    try:
        return factory(**options)
    except ConfigError as exc:
        if not prefix:
            raise
        raise ConfigError(
            f"{prefix}plugin {info.name!r} rejected its options: {exc}", key=exc.key
        ) from exc
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{prefix}plugin {info.name!r} rejected its options {dict(options)!r}: "
            f"{type(exc).__name__}: {exc}",
            key="plugins",
        ) from exc


def _check_options(info: PluginInfo, factory: Any, options: Mapping[str, Any], prefix: str) -> None:
    """Name an option the factory does not take, before calling it."""
    if not options:
        return
    accepted = _accepted_options(factory)
    if accepted is None:
        return
    for key in options:
        if key not in accepted:
            raise ConfigError(
                f"{prefix}plugin {info.name!r} rejected its options: unknown option {key!r} "
                f"(accepted: {', '.join(accepted) or 'none'})",
                key=key,
            )


def check_plan(plan: ActivationPlan) -> list[ConfigError]:
    """Options in the plan that a plugin's signature does not accept (for the CLI: without
    instantiating anything)."""
    problems = []
    checks = [(a.name, a.options, a.options_origin) for a in plan.activations]
    checks += [(name, c.options, c.origin) for name, c in plan.options.items()]
    for name, options, where in checks:
        info = plugin_info(name)
        if info is None or info.factory is None:
            continue
        try:
            _check_options(info, info.factory, options, f"{where}: " if where else "")
        except ConfigError as exc:
            problems.append(exc)
    return problems


@functools.lru_cache(maxsize=256)
def _accepted_options(factory: Any) -> tuple[str, ...] | None:
    """The keyword options `factory` takes; None when it takes any (or cannot be inspected)."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # a builtin or C callable: let the call decide
        return None
    parameters = signature.parameters.values()
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    kinds = (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return tuple(p.name for p in parameters if p.kind in kinds)


def load_transport(name: str, **options: Any) -> Any:
    """Instantiate the installed transport called `name` (group `axios_python.transports`).

    `options` are the client-only options given to `create()` (verify, proxy, limits, ...).
    """
    from ._transports.base import BaseTransport

    ep = _entry_point(TRANSPORT_GROUP, name)
    if ep is None:
        known = ", ".join(_names(TRANSPORT_GROUP)) or "none"
        raise ConfigError(
            f"no installed transport named {name!r}{install_hint(name)} (installed: {known})",
            key="transport",
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


# --- environment and configuration-file activation ---------------------------------------


@dataclass(frozen=True)
class Activation:
    """One plugin that environment or configuration activation registers on every client."""

    name: str  # the entry point name, which it is registered under
    options: Mapping[str, Any] = field(default_factory=dict)
    origin: str = ENV_PLUGINS  # where the activation came from, for errors and the CLI
    options_origin: str | None = None  # where its options came from (a file, a bundle)


@dataclass(frozen=True)
class ConfiguredOptions:
    options: Mapping[str, Any]
    origin: str


@dataclass(frozen=True)
class ActivationPlan:
    """What environment and configuration activation will register, and what it skips."""

    activations: tuple[Activation, ...] = ()
    options: Mapping[str, ConfiguredOptions] = field(default_factory=dict)
    disabled: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # warnings: unknown or broken names


_plan_cache: dict[tuple[Any, ...], ActivationPlan] = {}
_EMPTY = ActivationPlan()


def _plan_key() -> tuple[Any, ...]:
    values = tuple(os.environ.get(name) for name in ENV_NAMES)
    path = values[1]
    if path:
        try:
            stat = os.stat(path)
        except OSError:
            return (*values, None)
        return (*values, stat.st_mtime_ns, stat.st_size)
    return values


def activation_plan() -> ActivationPlan:
    """What the environment (and the configuration file it names) activates, remembered
    until an environment variable, the file or `sys.path` changes."""
    if not any(name in os.environ for name in ENV_NAMES):
        return _EMPTY
    _fresh()
    key = _plan_key()
    plan = _plan_cache.get(key)
    if plan is None:
        plan = _plan_cache[key] = _build_plan()
    return plan


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _split(value: str | None) -> list[str]:
    return [name.strip() for name in (value or "").split(",") if name.strip()]


def _build_plan() -> ActivationPlan:
    file = ConfigFile.read(os.environ.get(ENV_CONFIG))
    if _truthy(os.environ.get(ENV_DISABLE)):
        return ActivationPlan(options=file.configured())
    disabled = {*_split(os.environ.get(ENV_DISABLED)), *file.disable}
    requested = [(name, ENV_PLUGINS) for name in _split(os.environ.get(ENV_PLUGINS))]
    requested += [(name, f"{file.path} (activate)") for name in file.activate]
    activations: dict[str, Activation] = {}
    skipped: list[str] = []
    for name, origin in requested:
        if name in disabled:
            continue
        for activation in _expand(name, origin, skipped):
            if activation.name not in disabled and activation.name not in activations:
                activations[activation.name] = activation
    configured = file.configured()
    final = tuple(_with_options(a, configured.get(a.name)) for a in activations.values())
    file.check_names(configured)
    return ActivationPlan(final, configured, tuple(sorted(disabled)), tuple(skipped))


def _with_options(activation: Activation, configured: ConfiguredOptions | None) -> Activation:
    if configured is None:
        return activation
    return Activation(
        activation.name,
        {**activation.options, **configured.options},
        activation.origin,
        configured.origin,
    )


def _expand(name: str, origin: str, skipped: list[str]) -> list[Activation]:
    """A plugin name is itself; a bundle name is the plugins its distribution declares."""
    if _entry_point(ENTRY_POINT_GROUP, name) is not None:
        return [Activation(name, {}, origin)]
    ep = _entry_point(BUNDLE_GROUP, name)
    if ep is None:
        skipped.append(
            f"{origin}: no installed plugin or bundle named {name!r}{install_hint(name)}"
        )
        return []
    dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist is not None else "<unknown>"
    where = f"bundle {name!r} ({dist})"
    try:
        declared = ep.load()
        if callable(declared):
            declared = declared()
        plugins = _bundle_plugins(declared, where)
    except ConfigError as exc:
        skipped.append(f"{origin}: {exc}")
        return []
    except Exception as exc:
        skipped.append(f"{origin}: {where} is broken: {type(exc).__name__}: {exc}")
        return []
    return [
        Activation(plugin, options, f"{where} via {origin}", where if options else None)
        for plugin, options in plugins.items()
    ]


def _bundle_plugins(declared: Any, where: str) -> dict[str, dict[str, Any]]:
    if isinstance(declared, (list, tuple)):
        declared = {key: {} for key in declared}
    if not isinstance(declared, Mapping):
        raise ConfigError(
            f"{where} must declare a mapping {{plugin name: {{options}}}}, not "
            f"{type(declared).__name__}",
            key="plugins",
        )
    plugins: dict[str, dict[str, Any]] = {}
    for plugin, options in declared.items():
        if not isinstance(plugin, str) or not isinstance(options, Mapping):
            raise ConfigError(
                f"{where}: entry {plugin!r} must map a plugin name to a mapping of options",
                key="plugins",
            )
        plugins[plugin] = dict(options)
    return plugins


@dataclass
class ConfigFile:
    """The file `AXIOS_PYTHON_PLUGINS_CONFIG` names, validated.

    ```toml
    activate = ["acme", "cache"]   # plugin or bundle names, added to AXIOS_PYTHON_PLUGINS
    disable = ["acme-tracing"]     # never activated from the environment

    [options.cache]                # options for the plugin registered as "cache"
    ttl = 120
    ```
    """

    path: str = ""
    activate: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    options: dict[str, dict[str, Any]] = field(default_factory=dict)

    KEYS = ("activate", "disable", "options")

    @classmethod
    def read(cls, path: str | None) -> ConfigFile:
        if not path:
            return cls()
        table = _read_toml(path)
        if os.path.basename(path) == "pyproject.toml":
            table = table.get("tool", {}).get("axios-python", {})
            where = f"{path} [tool.axios-python]"
        else:
            where = path
        for key in table:
            if key not in cls.KEYS:
                raise ConfigError(
                    f"{where}: unknown key {key!r} (known: {', '.join(cls.KEYS)})", key=key
                )
        return cls(
            where,
            _names_list(table, "activate", where),
            _names_list(table, "disable", where),
            _options_tables(table, where),
        )

    def configured(self) -> dict[str, ConfiguredOptions]:
        return {
            name: ConfiguredOptions(options, f"{self.path} [options.{name}]")
            for name, options in self.options.items()
        }

    def check_names(self, configured: Mapping[str, ConfiguredOptions]) -> None:
        """Options for a plugin that is not installed are a typo: name the table."""
        for name, options in configured.items():
            if _entry_point(ENTRY_POINT_GROUP, name) is None:
                raise ConfigError(
                    f"{options.origin}: no installed plugin named {name!r}{install_hint(name)} "
                    f"(installed: {', '.join(_names(ENTRY_POINT_GROUP)) or 'none'})",
                    key=f"options.{name}",
                )


def _read_toml(path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10 (a dependency there; absent where mypy runs)
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        with open(path, "rb") as file:
            table: dict[str, Any] = tomllib.load(file)
            return table
    except OSError as exc:
        raise ConfigError(
            f"{ENV_CONFIG}={path}: cannot read the file: {exc.strerror}", key=ENV_CONFIG
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}", key=ENV_CONFIG) from exc


def _names_list(table: Mapping[str, Any], key: str, where: str) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(
            f"{where}: {key!r} must be a list of plugin names, not {value!r}", key=key
        )
    return [v.strip() for v in value]


def _options_tables(table: Mapping[str, Any], where: str) -> dict[str, dict[str, Any]]:
    value = table.get("options", {})
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{where}: 'options' must be a table of [options.NAME] tables", key="options"
        )
    options: dict[str, dict[str, Any]] = {}
    for name, plugin_options in value.items():
        if not isinstance(plugin_options, Mapping):
            raise ConfigError(
                f"{where}: [options.{name}] must be a table of options, not {plugin_options!r}",
                key=f"options.{name}",
            )
        options[name] = dict(plugin_options)
    return options


def autoload() -> list[tuple[Any, Activation]]:
    """Instantiate the plugins environment activation asks for, with their options.

    Unknown and broken ones warn and are skipped; options a plugin rejects are a ConfigError
    naming where they came from (the file, or the bundle).
    """
    plan = activation_plan()
    for message in plan.skipped:
        warnings.warn(message, PluginLoadWarning, stacklevel=4)
    loaded = []
    for activation in plan.activations:
        info = plugin_info(activation.name)
        if info is None:  # pragma: no cover - the plan only holds installed names
            continue
        if info.error is not None:
            warnings.warn(
                f"{activation.origin}: plugin {info.name!r} from {info.distribution} is "
                f"broken: {info.error}",
                PluginLoadWarning,
                stacklevel=4,
            )
            continue
        loaded.append(
            (instantiate(info, dict(activation.options), activation.options_origin), activation)
        )
    return loaded
