"""An aiohttp transport for axios_python (work in progress)."""

from typing import Any

from axios_python import BaseTransport

__all__ = ["AiohttpTransport"]


class AiohttpTransport(BaseTransport):
    """Placeholder until the real implementation lands."""

    def __init__(self, **options: Any) -> None:
        self.options = options
