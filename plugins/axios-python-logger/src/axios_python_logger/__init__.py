"""The logger plugin for axios_python (work in progress)."""

from typing import Any

import axios_python

__all__ = ["LoggerPlugin"]


class LoggerPlugin(axios_python.Plugin):
    """Placeholder until the real implementation lands."""

    name = "logger"

    def __init__(self, **options: Any) -> None:
        self.options = options
