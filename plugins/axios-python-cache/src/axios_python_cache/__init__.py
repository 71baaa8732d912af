"""The cache plugin for axios_python (work in progress)."""

from typing import Any

import axios_python

__all__ = ["CachePlugin"]


class CachePlugin(axios_python.Plugin):
    """Placeholder until the real implementation lands."""

    name = "cache"

    def __init__(self, **options: Any) -> None:
        self.options = options
