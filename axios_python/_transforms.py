"""`transform_request`, `transform_response` and `response_model`: pure functions of a config
or a response, run by the pipeline where axios runs its transforms.

```
request interceptors -> transform_request -> middleware, retries, transport
                     -> transform_response -> response_model -> response interceptors
```
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ._exceptions import AxiosPythonError, ConfigError, ResponseValidationError
from ._models import Response

__all__ = ["after_response", "before_request", "needs_after"]

_BODY_KEYS = ("json", "data", "content")


def _functions(value: Any) -> list[Callable[..., Any]]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _takes_headers(fn: Callable[..., Any]) -> bool:
    """True when `fn` accepts a second positional argument (the headers)."""
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # a builtin without a signature: give it the data only
        return False
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in params)


def _call(fn: Callable[..., Any], data: Any, headers: Any) -> Any:
    return fn(data, headers) if _takes_headers(fn) else fn(data)


def before_request(config: dict[str, Any]) -> dict[str, Any]:
    """Run `transform_request` on the body (`json`, else `data`, else `content`) and headers.

    Each function gets the body and may take the (mutable) headers too; what it returns is the
    body: bytes or str are sent as is (`content`), anything else goes back where the body was.
    """
    key = next((k for k in _BODY_KEYS if config.get(k) is not None), None)
    data = config.get(key) if key is not None else None
    for fn in _functions(config["transform_request"]):
        data = _call(fn, data, config["headers"])
    for name in _BODY_KEYS:
        config.pop(name, None)
    if isinstance(data, (bytes, str)):
        config["content"] = data
    elif data is not None:
        if key == "content":
            raise ConfigError(
                f"transform_request turned the content body into {type(data).__name__}; "
                "return bytes or str",
                key="transform_request",
                config=config,
            )
        config[key or "json"] = data
    return config


def needs_after(config: dict[str, Any]) -> bool:
    return bool(config.get("transform_response") or config.get("response_model") is not None)


def after_response(response: Response, config: dict[str, Any]) -> Response:
    """Run `transform_response` on `response.data`, then validate it with `response_model`."""
    if config.get("stream"):
        return response  # a streamed body is the caller's to read: nothing to transform
    _transform(response, config)
    model = config.get("response_model")
    if model is not None:
        from pydantic import ValidationError

        from ._validation import response_adapter

        try:
            response.data = response_adapter(model).validate_python(response.data)
        except ValidationError as exc:
            name = repr(model) if getattr(model, "__args__", None) else model.__name__
            raise ResponseValidationError(
                f"the response body does not match {name}: {exc}",
                errors=exc.errors(include_url=False),
                response=response,
                request=response.request,
                config=config,
            ) from exc
    return response


def after_error(error: AxiosPythonError, config: dict[str, Any]) -> None:
    """axios transforms the body of an error's response too (not validated: it is an error)."""
    response = error.response
    if (
        response is not None
        and config.get("transform_response")
        and response.is_closed
        and not config.get("stream")
    ):
        _transform(response, config)


def _transform(response: Response, config: dict[str, Any]) -> None:
    functions = config.get("transform_response")
    if functions:
        data = response.data
        for fn in _functions(functions):
            data = _call(fn, data, response.headers)
        response.data = data
