"""Records per attempt, response and error, with their structured fields, sync and async."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from axios_python_logger import LoggerPlugin

import axios_python
from axios_python import FixedBackoff, MockTransport, Plugin, Response

pytestmark = pytest.mark.anyio
MODES = pytest.mark.parametrize("mode", ["sync", "async"])
CORE_FIELDS = {
    "http_event",
    "http_method",
    "http_url",
    "http_status",
    "http_elapsed_ms",
    "http_attempt",
}


def fields(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k.startswith("http_")}


def retrying(**kwargs: Any) -> dict[str, Any]:
    return {
        "max_retries": 2,
        "retry_strategy": FixedBackoff(delay=0.001, retry_on_status=[503], **kwargs),
    }


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@MODES
async def test_one_request_and_one_response_record(
    mode: str, make_api: Any, send: Any, logs: Any, base_url: str
) -> None:
    """A plain request gives exactly a request record and a response record, at INFO."""
    api = make_api()
    await send(api, mode, "GET", "/get", params={"q": "1"})
    request, response = logs()
    assert request.levelno == response.levelno == logging.INFO
    assert request.getMessage() == f"HTTP request: GET {base_url}/get?q=1 (attempt 1)"
    assert fields(request) == {
        "http_event": "request",
        "http_method": "GET",
        "http_url": f"{base_url}/get?q=1",
        "http_status": None,
        "http_elapsed_ms": None,
        "http_attempt": 1,
        "http_body": "",
    }
    assert response.http_event == "response"
    assert response.http_status == 200
    assert response.http_attempt == 1
    assert response.http_from_cache is False
    assert set(response.http_timings_ms) >= {"send", "wait", "receive"}
    elapsed = response.http_elapsed_ms
    assert isinstance(elapsed, float)
    assert 0 < elapsed < 5000
    assert response.getMessage().startswith(
        f"HTTP response: GET {base_url}/get?q=1 -> 200 OK in {elapsed:.1f} ms (attempt 1) body='{{"
    )


@MODES
async def test_every_retry_attempt_is_logged(
    mode: str, make_api: Any, send: Any, logs: Any, base_url: str
) -> None:
    """max_retries=2 on /status/503 logs three numbered attempts, each with its response."""
    api = make_api(**retrying())
    with pytest.raises(axios_python.RetryError):
        await send(api, mode, "GET", "/status/503")
    records = logs()
    assert [(r.http_event, r.http_attempt, r.http_status) for r in records] == [
        ("request", 1, None),
        ("response", 1, 503),
        ("request", 2, None),
        ("response", 2, 503),
        ("request", 3, None),
        ("response", 3, 503),
    ]
    assert all(r.http_url == f"{base_url}/status/503" for r in records)
    assert all(isinstance(r.http_elapsed_ms, float) for r in logs("response"))


@MODES
async def test_attempts_are_counted_per_request(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """A retried request that succeeds logs attempts 1 and 2; the next request starts at 1."""
    api = make_api(**retrying())
    name = uuid.uuid4().hex
    response = await send(api, mode, "GET", f"/flaky/{name}", params={"fail": "1"})
    assert response.data == {"name": name, "attempt": 2}
    await send(api, mode, "GET", "/get")
    assert [(r.http_attempt, r.http_status) for r in logs("response")] == [
        (1, 503),
        (2, 200),
        (1, 200),
    ]
    assert [r.http_attempt for r in logs("request")] == [1, 2, 1]


@MODES
async def test_fields_reach_a_json_handler(mode: str, make_api: Any, send: Any) -> None:
    """The extra fields are attributes of the record, so a JSON handler can serialise them."""

    class JsonLines(logging.Handler):
        def __init__(self) -> None:
            super().__init__()
            self.lines: list[str] = []

        def emit(self, record: logging.LogRecord) -> None:
            self.lines.append(json.dumps({"msg": record.getMessage(), **fields(record)}))

    handler = JsonLines()
    logger = logging.getLogger(f"test.json.{uuid.uuid4().hex}")
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.addHandler(handler)
    api = make_api(LoggerPlugin(logger=logger, log_headers=True))
    await send(api, mode, "POST", "/post", json={"a": 1})
    request, response = (json.loads(line) for line in handler.lines)
    assert set(request) == {"msg", *CORE_FIELDS, "http_headers", "http_body"}
    assert set(response) == {
        "msg",
        *CORE_FIELDS,
        "http_headers",
        "http_body",
        "http_from_cache",
        "http_timings_ms",
    }
    assert response["http_timings_ms"]["wait"] >= 0
    assert request["http_method"] == response["http_method"] == "POST"
    assert request["http_body"] == '{"a":1}'
    assert request["http_headers"]["content-type"] == "application/json"
    assert response["http_status"] == 200
    assert json.loads(response["http_body"])["json"] == {"a": 1}


@MODES
async def test_network_error_is_logged_at_warning(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """A refused connection logs the request, then a WARNING error record with code and type."""
    port = closed_port()
    api = make_api()
    with pytest.raises(axios_python.NetworkError) as caught:
        await send(api, mode, "GET", f"http://127.0.0.1:{port}/x")
    request, error = logs()
    assert request.http_event == "request"
    assert error.levelno == logging.WARNING
    assert error.http_event == "error"
    assert error.http_error_code == caught.value.code
    assert error.http_error_type == "NetworkError"
    assert error.http_status is None
    assert error.http_attempt == 1
    assert error.http_url == f"http://127.0.0.1:{port}/x"
    assert isinstance(error.http_elapsed_ms, float)
    assert error.getMessage().startswith(
        f"HTTP error: GET http://127.0.0.1:{port}/x -> {caught.value.code} NetworkError: "
    )


@MODES
async def test_retried_network_errors_are_numbered(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """Each failed attempt of a retried network error gets its own error record."""
    api = make_api(**retrying())
    with pytest.raises(axios_python.RetryError):
        await send(api, mode, "GET", f"http://127.0.0.1:{closed_port()}/x")
    assert [(r.http_event, r.http_attempt) for r in logs()] == [
        ("request", 1),
        ("error", 1),
        ("request", 2),
        ("error", 2),
        ("request", 3),
        ("error", 3),
    ]


@MODES
async def test_timeout_is_logged_with_its_elapsed_time(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """A read timeout logs ETIMEDOUT, and the elapsed time covers the wait."""
    api = make_api()
    with pytest.raises(axios_python.TimeoutError):
        await send(api, mode, "GET", "/delay/1", timeout=0.1)
    (error,) = logs("error")
    assert error.http_error_code == "ETIMEDOUT"
    assert error.http_error_type == "TimeoutError"
    assert 90 <= error.http_elapsed_ms < 1000


@MODES
async def test_rejected_status_logs_response_then_error(
    mode: str, make_api: Any, send: Any, logs: Any
) -> None:
    """A status rejected by validate_status logs the response, then the error with its status."""
    api = make_api(LoggerPlugin(error_level=logging.ERROR), validate_status=lambda s: s < 400)
    with pytest.raises(axios_python.HTTPStatusError):
        await send(api, mode, "GET", "/status/404")
    _, response, error = logs()
    assert response.http_status == 404
    assert response.levelno == logging.INFO
    assert error.levelno == logging.ERROR
    assert error.http_status == 404
    assert error.http_error_code == "ERR_BAD_REQUEST"
    assert error.http_error_type == "HTTPStatusError"


@MODES
async def test_logger_name_level_and_instance_are_configurable(
    mode: str, make_api: Any, send: Any, logs: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """`logger=` takes a name or a Logger; `level=` an int or a level name."""
    caplog.set_level(logging.DEBUG, logger="myapp")
    await send(make_api(LoggerPlugin(logger="myapp.http", level="debug")), mode, "GET", "/get")
    instance = logging.getLogger("myapp.other")
    await send(make_api(LoggerPlugin(logger=instance, level=15)), mode, "GET", "/get")
    assert logs() == []
    assert [r.levelno for r in logs(name="myapp.http")] == [logging.DEBUG] * 2
    assert [r.levelno for r in logs(name="myapp.other")] == [15] * 2


class Canned(Plugin):
    """Answers every request from 'cache', as the cache plugin does."""

    name = "canned"

    def on_transport(self, request: Any, config: dict[str, Any]) -> Response:
        response = Response(200, data={"cached": True}, request=request)
        response.from_cache = True
        return response


@MODES
async def test_an_answer_from_a_cache_plugin_is_logged(mode: str, logs: Any) -> None:
    """The request record comes before another plugin answers it; the response says from cache."""
    transport = MockTransport(lambda request: Response(500))
    api = axios_python.AxiosPython({"base_url": "http://api.test"}, transport=transport)
    api.plugin(LoggerPlugin())
    api.plugin(Canned())  # registered later, so pluggy would call it first without tryfirst
    response = api.get("/items") if mode == "sync" else await api.async_get("/items")
    assert response.from_cache is True
    assert transport.requests == []
    request, answer = logs()
    assert request.http_event == "request"
    assert answer.http_from_cache is True
    assert answer.http_status == 200
    assert "200 OK (from cache) in " in answer.getMessage()


async def test_concurrent_threads_count_their_own_attempts(make_api: Any, logs: Any) -> None:
    """Requests retried in parallel threads each number their attempts 1, 2."""
    api = make_api(**retrying())
    names = [uuid.uuid4().hex for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda n: api.get(f"/flaky/{n}", params={"fail": "1"}), names))
    assert_attempts_per_url(logs(), names)


async def test_concurrent_tasks_count_their_own_attempts(make_api: Any, logs: Any) -> None:
    """Requests retried in parallel asyncio tasks each number their attempts 1, 2."""
    api = make_api(**retrying())
    names = [uuid.uuid4().hex for _ in range(8)]
    await asyncio.gather(*(api.async_get(f"/flaky/{n}", params={"fail": "1"}) for n in names))
    assert_attempts_per_url(logs(), names)


def assert_attempts_per_url(records: list[logging.LogRecord], names: list[str]) -> None:
    seen: dict[str, list[tuple[str, int, int | None]]] = {}
    for r in records:
        f = fields(r)
        name = f["http_url"].split("/flaky/")[1].split("?")[0]
        seen.setdefault(name, []).append((f["http_event"], f["http_attempt"], f["http_status"]))
    assert set(seen) == set(names)
    for events in seen.values():
        assert events == [
            ("request", 1, None),
            ("response", 1, 503),
            ("request", 2, None),
            ("response", 2, 200),
        ]
