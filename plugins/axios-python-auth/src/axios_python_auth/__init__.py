"""The auth plugin for axios_python (work in progress)."""

from typing import Any

import axios_python

__all__ = ["AuthPlugin"]


class AuthPlugin(axios_python.Plugin):
    """Placeholder until the real implementation lands."""

    name = "auth"

    def __init__(self, **options: Any) -> None:
        self.options = options
