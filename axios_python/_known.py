"""The project's own add-on distributions: what to install when one of their names is missing.

The one place to add a distribution: one line per plugin or transport name it provides
(`api.plugin("cache")`, `create({"transport": "aiohttp"})`, `axios-python request --plugin`),
and one line per class `axios_python` re-exports from it (`from axios_python import
CachePlugin`). Kept free of imports: `import axios_python` reads it.
"""

from __future__ import annotations

__all__ = ["CLASSES", "DISTRIBUTIONS", "install_hint"]

# plugin or transport name -> (distribution, extra of axios-python that installs it)
DISTRIBUTIONS: dict[str, tuple[str, str]] = {
    "cache": ("axios-python-cache", "cache"),
    "auth": ("axios-python-auth", "auth"),
    "logger": ("axios-python-logger", "logger"),
    "aiohttp": ("axios-python-aiohttp", "aiohttp"),
    "rate-limit": ("axios-python-resilience", "resilience"),
    "circuit-breaker": ("axios-python-resilience", "resilience"),
    "retry-budget": ("axios-python-resilience", "resilience"),
    "otel": ("axios-python-otel", "otel"),
    "urllib3": ("axios-python-urllib3", "urllib3"),
}

# class re-exported lazily by `axios_python` -> (module, extra)
CLASSES: dict[str, tuple[str, str]] = {
    "CachePlugin": ("axios_python_cache", "cache"),
    "AuthPlugin": ("axios_python_auth", "auth"),
    "LoggerPlugin": ("axios_python_logger", "logger"),
    "OtelPlugin": ("axios_python_otel", "otel"),
}


def install_hint(name: str) -> str:
    """'; it ships in X: pip install "axios-python[extra]"' for one of our names, else ''."""
    known = DISTRIBUTIONS.get(name)
    if known is None:
        return ""
    distribution, extra = known
    return (
        f'; it ships in the {distribution} distribution: pip install "axios-python[{extra}]" '
        f"(or pip install {distribution})"
    )
