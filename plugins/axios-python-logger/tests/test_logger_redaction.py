"""Headers are off by default; secrets in headers, query strings and bodies are redacted."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest
from axios_python_logger import (
    DEFAULT_REDACT_HEADERS,
    REDACTED,
    LoggerPlugin,
)
from axios_python_logger._redact import Redactor

import axios_python

pytestmark = pytest.mark.anyio
MODES = pytest.mark.parametrize("mode", ["sync", "async"])
SECRETS = {
    "Authorization": "Bearer s3cr3t-bearer",
    "Proxy-Authorization": "Basic s3cr3t-proxy",
    "Cookie": "sid=s3cr3t-cookie",
    "X-Api-Key": "s3cr3t-apikey",
    "X-Auth-Token": "s3cr3t-token",
    "X-Client-Secret": "s3cr3t-secret",
}


def all_text(records: list[logging.LogRecord]) -> str:
    return "\n".join(r.getMessage() + repr(vars(r)) for r in records)


@MODES
async def test_headers_are_not_logged_by_default(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """With log_headers=False (the default) no record carries or prints a header."""
    api = make_api(LoggerPlugin(log_body=False))
    await send(api, mode, "GET", "/status/200", headers=SECRETS)
    records = logs()
    assert len(records) == 2
    assert all(not hasattr(r, "http_headers") for r in records)
    assert "headers=" not in all_text(records)
    assert "s3cr3t" not in all_text(records)


@MODES
async def test_secret_request_headers_are_redacted(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """Authorization, Cookie, Proxy-Authorization and API-key-like headers are redacted."""
    api = make_api(LoggerPlugin(log_headers=True, log_body=False))
    response = await send(api, mode, "GET", "/headers", headers={**SECRETS, "X-Trace": "t-1"})
    assert response.data["headers"]["Authorization"] == "Bearer s3cr3t-bearer"  # sent as is
    request, _ = logs()
    headers = request.http_headers
    for name in SECRETS:
        assert headers[name.lower()] == REDACTED
    assert headers["x-trace"] == "t-1"
    assert headers["accept"] == "application/json, text/plain, */*"
    assert "s3cr3t" not in all_text(logs())
    assert f"'authorization': '{REDACTED}'" in request.getMessage()


@MODES
async def test_set_cookie_response_header_is_redacted(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """A response's Set-Cookie is redacted; its other headers are shown."""
    api = make_api(LoggerPlugin(log_headers=True, log_body=False))
    await send(api, mode, "GET", "/cookies/set/sid/s3cr3t-cookie", follow_redirects=False)
    (response,) = logs("response")
    assert response.http_status == 302
    headers = response.http_headers
    assert headers["set-cookie"] == REDACTED
    assert headers["location"] == "/cookies"
    assert "s3cr3t-cookie" not in repr(headers)  # (the URL path has it: paths are not redacted)


@MODES
async def test_secret_query_parameters_are_redacted(
    mode: str, make_api: Any, send: Any, logs: Any, base_url: str
) -> None:
    """api_key, access_token and friends are redacted in every record's URL; others are kept."""
    api = make_api(LoggerPlugin(log_body=False))
    params = {"api_key": "s3cr3t-k", "page": "2", "access_token": "s3cr3t-t", "code": "s3cr3t-c"}
    response = await send(api, mode, "GET", "/get", params=params)
    assert response.data["args"] == params  # the server got the real values
    expected = f"{base_url}/get?api_key={REDACTED}&page=2&access_token={REDACTED}&code={REDACTED}"
    assert [r.http_url for r in logs()] == [expected, expected]
    assert "s3cr3t" not in all_text(logs())


@MODES
async def test_error_messages_are_redacted_too(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """An error message that quotes the URL shows it redacted."""
    api = make_api(validate_status=lambda s: s < 400)
    with pytest.raises(axios_python.HTTPStatusError) as info:  # redacted by the core
        await send(api, mode, "GET", "/status/404", params={"token": "s3cr3t"})
    assert "s3cr3t" not in str(info.value)
    assert "s3cr3t" in str(info.value.request.url)  # the request keeps the URL as sent
    (error,) = logs("error")
    assert f"token={REDACTED}" in error.http_error_message
    assert "s3cr3t" not in all_text(logs())


@MODES
async def test_url_password_is_redacted(
    mode: str, make_api: Any, send: Any, logs: Any, server: Any
) -> None:
    """user:password@ in the URL keeps the user and hides the password."""
    host = server.url.removeprefix("http://")
    api = make_api(LoggerPlugin(log_body=False))
    await send(api, mode, "GET", f"http://alice:s3cr3t@{host}/basic-auth/alice/s3cr3t")
    urls = [r.http_url for r in logs()]
    assert urls[0].startswith(f"http://alice:{REDACTED}@{host}/")
    # the password is also in this endpoint's path, which is not a secret place: only userinfo
    assert "alice:s3cr3t@" not in all_text(logs())


@MODES
async def test_redaction_lists_are_configurable(
    mode: str, make_api: Any, send: Any, logs: Any, base_url: str
) -> None:
    """redact_headers / redact_params replace the defaults; extend them with the DEFAULT_ tuples."""
    api = make_api(
        LoggerPlugin(
            log_headers=True,
            log_body=False,
            redact_headers=(*DEFAULT_REDACT_HEADERS, "x-internal-*"),
            redact_params=["page"],
        )
    )
    await send(
        api,
        mode,
        "GET",
        "/status/200",
        params={"page": "2", "token": "visible"},
        headers={"X-Internal-Id": "42", "Authorization": "Bearer x"},
    )
    request, _ = logs()
    assert request.http_url == f"{base_url}/status/200?page={REDACTED}&token=visible"
    assert request.http_headers["x-internal-id"] == REDACTED
    assert request.http_headers["authorization"] == REDACTED


@MODES
async def test_form_body_fields_are_redacted(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """An OAuth-style form body shows its fields, with password and secrets redacted."""
    api = make_api()
    form = {
        "grant_type": "password",
        "username": "alice",
        "password": "s3cr3t-pw",
        "client_secret": "s3cr3t-cs",
    }
    response = await send(api, mode, "POST", "/post", data=form)
    assert response.data["form"] == form
    request, reply = logs()
    assert request.http_body == (
        f"grant_type=password&username=alice&password={REDACTED}&client_secret={REDACTED}"
    )
    assert f'"password": "{REDACTED}"' in reply.http_body
    assert "s3cr3t" not in request.getMessage()


@MODES
async def test_json_body_fields_are_redacted(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """Secret keys of a JSON body are redacted at any depth; the rest is shown."""
    api = make_api()
    document = {
        "user": "alice",
        "auth": {"refresh_token": "s3cr3t-rt"},
        "items": [{"password": "s3cr3t-pw", "n": 1}],
    }
    await send(api, mode, "POST", "/post", json=document)
    request, _ = logs()
    assert request.http_body == (
        '{"user": "alice", "auth": {"refresh_token": "[REDACTED]"}, '
        '"items": [{"password": "[REDACTED]", "n": 1}]}'
    )
    assert "s3cr3t" not in request.getMessage()


# --- the redactor on its own ------------------------------------------------------------


def test_header_names_match_case_insensitively_and_by_glob() -> None:
    """Exact names and globs match whatever the case; other names do not."""
    redactor = Redactor()
    for name in (
        "Authorization",
        "COOKIE",
        "set-cookie",
        "X-API-Key",
        "x-csrf-token",
        "X-Goog-Api-Key",
        "X-Amz-Security-Token",
        "x-session-id",
    ):
        assert redactor.is_secret_header(name), name
    for name in ("accept", "content-type", "x-request-id", "user-agent", "etag"):
        assert not redactor.is_secret_header(name), name


def test_headers_are_copied_not_changed() -> None:
    """headers() returns a new dict and leaves the httpx.Headers alone."""
    headers = httpx.Headers({"Authorization": "Bearer x", "Accept": "*/*"})
    assert Redactor().redact_headers(headers) == {"authorization": REDACTED, "accept": "*/*"}
    assert headers["authorization"] == "Bearer x"


def test_query_redaction_edge_cases() -> None:
    """Encoded names, repeated names, empty values and bare names are handled."""
    redactor = Redactor()
    assert redactor.query("api%5Fkey=1&token=a&token=b&page=&key&q=x") == (
        f"api%5Fkey={REDACTED}&token={REDACTED}&token={REDACTED}&page=&key&q=x"
    )
    assert redactor.query("token=") == "token="


def test_urls_without_secrets_are_returned_as_is() -> None:
    """A URL with nothing to hide is the same string; userinfo without a password stays."""
    redactor = Redactor()
    url = "http://example.test/a?page=1"
    assert redactor.url(url) is url
    assert redactor.url("http://bob@example.test/") == "http://bob@example.test/"
    assert redactor.url("https://bob:pw@example.test:8443/p?token=t#frag") == (
        f"https://bob:{REDACTED}@example.test:8443/p?token={REDACTED}#frag"
    )


def test_json_redaction_copies_and_recurses() -> None:
    """json() redacts secret keys in nested dicts and lists and leaves the input alone."""
    document: dict[str, Any] = {"a": [{"access_token": "t"}], "client_secret": {"x": 1}, "n": None}
    redacted = Redactor().json(document)
    assert redacted == {"a": [{"access_token": REDACTED}], "client_secret": REDACTED, "n": None}
    assert document["a"][0]["access_token"] == "t"


def test_a_single_name_is_not_split_into_letters() -> None:
    """redact_headers="x-secret-ish" means that one name, not the letters in it."""
    redactor = Redactor(headers="x-custom")
    assert redactor.is_secret_header("X-Custom")
    assert not redactor.is_secret_header("x")
