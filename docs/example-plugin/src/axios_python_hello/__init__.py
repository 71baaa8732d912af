"""A plugin in ten lines: a greeting header on every request, a flag on every response."""

from typing import Any

import axios_python


class HelloPlugin(axios_python.Plugin):
    name = "hello"

    def __init__(self, greeting: str = "hello") -> None:
        self.greeting = greeting

    def on_request(self, config: dict[str, Any]) -> None:
        config["headers"]["X-Greeting"] = self.greeting

    def on_response(self, response: axios_python.Response) -> None:
        response.greeted = True  # type: ignore[attr-defined]
