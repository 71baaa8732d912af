"""Every URL the logger writes is redacted by the core's policy, whatever form it takes: the
URL after a redirect, a URL re-encoded by the network library, URLs inside JSON string values
of a logged body. Both transports, sync and async."""

from __future__ import annotations

import importlib.util
import logging
from typing import Any
from urllib.parse import quote

import pytest
from axios_python_logger import LoggerPlugin

import axios_python
from axios_python.redaction import Redactor

pytestmark = pytest.mark.anyio
MODES = pytest.mark.parametrize("mode", ["sync", "async"])
TRANSPORTS = pytest.mark.parametrize(
    "transport",
    [
        "httpx",
        pytest.param(
            "aiohttp",
            marks=pytest.mark.skipif(
                importlib.util.find_spec("axios_python_aiohttp") is None,
                reason="axios-python-aiohttp not installed",
            ),
        ),
    ],
)


def all_text(records: list[logging.LogRecord]) -> str:
    return "\n".join(r.getMessage() + repr(vars(r)) for r in records)


@TRANSPORTS
@MODES
async def test_a_redirected_url_is_redacted_in_error_records(
    transport: str, mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """The error names the final URL (after the redirect): its query secrets used to go out
    as is, at the default WARNING level."""
    api = make_api(LoggerPlugin(), transport=transport)
    target = quote("/status/500?token=tok-SECRET&access_token=at-SECRET&page=3", safe="")
    with pytest.raises(axios_python.HTTPStatusError):
        await send(
            api,
            mode,
            "GET",
            f"/redirect-to?url={target}&code=SECRET-code",
            validate_status=lambda s: s < 400,
        )
    (error,) = logs("error")
    assert error.levelno == logging.WARNING
    # the message names the URL after the redirect; the first URL holds it only as the
    # (percent-encoded) value of a parameter that is not a secret
    assert "/status/500?" in error.http_error_message
    assert "SECRET" not in error.http_error_message
    assert "page=3" in error.http_error_message
    assert "SECRET-code" not in all_text(logs())


@TRANSPORTS
@MODES
async def test_a_re_encoded_url_is_redacted(
    transport: str, mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """A secret whose value the library re-encodes (`%7E` or a space) is still found."""
    api = make_api(LoggerPlugin(), transport=transport)
    with pytest.raises(axios_python.HTTPStatusError):
        await send(
            api,
            mode,
            "GET",
            "/status/503?api_key=k%7ESECRET+x&token=t SECRET",
            validate_status=lambda s: s < 400,
        )
    assert "SECRET" not in all_text(logs())


@MODES
async def test_urls_inside_json_string_values_are_redacted(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """log_body=True: secret keys lose their values, and URLs inside any string value lose
    their secrets (`{"next": "https://...?access_token=..."}`)."""
    api = make_api(LoggerPlugin(log_body=True))
    body = {
        "next": "https://api.example/items?page=2&access_token=at-SECRET",
        "callback": "https://bob:pw-SECRET@hooks.example/x",
        "password": "pw-SECRET",
        "nested": [{"client_secret": "cs-SECRET", "note": "keep me"}],
    }
    await send(api, mode, "POST", "/anything", json=body)
    text = all_text(logs())
    assert "SECRET" not in text
    assert "keep me" in text
    assert "page=2" in text


@MODES
async def test_the_logger_honours_a_custom_policy(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    redactor = Redactor().extend(params=["tenant"])
    api = make_api(LoggerPlugin(redact_params=redactor.params))
    await send(api, mode, "GET", "/status/200?tenant=acme-SECRET&q=1")
    assert "acme-SECRET" not in all_text(logs())
