"""`axios_python.__all__` is exactly the public API, as in httpx's tests/test_exported_members.py."""

from __future__ import annotations

import sys
import types

import pytest

import axios_python

LAZY_NAMES = {
    "HttpxTransport",
    "CachePlugin",
    "AuthPlugin",
    "LoggerPlugin",
    "OtelPlugin",
    "hookimpl",
    "hookspec",
}
PLUGIN_NAMES = {
    "CachePlugin": ("axios_python_cache", "cache"),
    "AuthPlugin": ("axios_python_auth", "auth"),
    "LoggerPlugin": ("axios_python_logger", "logger"),
    "OtelPlugin": ("axios_python_otel", "otel"),
}
INCLUDED_PRIVATE_MEMBERS = {"__version__"}


def public_attributes() -> set[str]:
    """Public names bound in the module namespace, submodules excluded."""
    return {
        name
        for name, value in vars(axios_python).items()
        if (not name.startswith("_") or name in INCLUDED_PRIVATE_MEMBERS)
        and not isinstance(value, types.ModuleType)
    }


def test_all_is_sorted_and_unique() -> None:
    """__all__ is sorted and has no duplicates."""
    assert axios_python.__all__ == sorted(axios_python.__all__)
    assert len(set(axios_python.__all__)) == len(axios_python.__all__)


def test_all_imports_are_exported() -> None:
    """Every public attribute of the module is listed in __all__."""
    missing = public_attributes() - set(axios_python.__all__)
    assert missing == set()


def test_all_equals_the_public_names() -> None:
    """__all__ is exactly the eagerly bound public names plus the lazily imported ones."""
    assert set(axios_python.__all__) == public_attributes() | LAZY_NAMES


@pytest.mark.parametrize("name", axios_python.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    """Every name in __all__ resolves, except plugin classes whose distribution is missing."""
    try:
        value = getattr(axios_python, name)
    except ImportError as exc:
        error: ImportError | None = exc
    else:
        error = None
    if error is not None:
        assert name in PLUGIN_NAMES
        assert "pip install" in str(error)
        return
    assert value is not None
    if name != "__version__":
        assert callable(value)


def test_version_is_a_string() -> None:
    """__version__ is a dotted version string."""
    assert isinstance(axios_python.__version__, str)
    assert axios_python.__version__.split(".")[0].isdigit()


def test_lazy_transport_export() -> None:
    """HttpxTransport resolves lazily to the default transport class."""
    from axios_python._transports.default import HttpxTransport

    assert axios_python.HttpxTransport is HttpxTransport
    assert issubclass(HttpxTransport, axios_python.BaseTransport)


@pytest.mark.parametrize("name", sorted(PLUGIN_NAMES))
def test_missing_plugin_distribution_gives_an_install_hint(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plugin class whose distribution is not installed raises ImportError with the pip hint."""
    module_name, extra = PLUGIN_NAMES[name]
    monkeypatch.setitem(sys.modules, module_name, None)  # makes the import fail
    with pytest.raises(ImportError) as info:
        getattr(axios_python, name)
    message = str(info.value)
    assert f'pip install "axios-python[{extra}]"' in message
    assert module_name.replace("_", "-") in message
    assert info.value.name == module_name


@pytest.mark.parametrize("name", sorted(PLUGIN_NAMES))
def test_installed_plugin_classes_resolve(name: str) -> None:
    """When the plugin distribution is installed, the class comes from it."""
    module_name, _ = PLUGIN_NAMES[name]
    module = pytest.importorskip(module_name)
    assert getattr(axios_python, name) is getattr(module, name)


def test_unknown_attribute_is_an_attribute_error() -> None:
    """An unknown name raises AttributeError (so hasattr() works)."""
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        axios_python.Nope  # noqa: B018
    assert not hasattr(axios_python, "nope")


def test_star_import() -> None:
    """`from axios_python import *` binds every name in __all__."""
    namespace: dict[str, object] = {}
    exec("from axios_python import *", namespace)
    assert set(axios_python.__all__) <= set(namespace)
