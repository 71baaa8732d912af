"""A disabled level does nothing; the plugin never mutates; options, names and entry point."""

from __future__ import annotations

import logging
import socket
from typing import Any

import axios_python_logger
import pytest
from axios_python_logger import LoggerPlugin

import axios_python
from axios_python import MockTransport, Response

pytestmark = pytest.mark.anyio
MODES = pytest.mark.parametrize("mode", ["sync", "async"])


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def explode(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("called although the level is disabled")


@MODES
async def test_disabled_level_emits_and_builds_nothing(
    mode: str,
    make_api: Any,
    send: Any,
    logs: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the logger above both levels, every hook returns before building anything."""
    caplog.set_level(logging.ERROR, logger="axios_python")
    for name in ("request_record", "response_record", "error_record"):
        monkeypatch.setattr(axios_python_logger, name, explode)
    monkeypatch.setattr(axios_python_logger, "perf_counter", explode)
    api = make_api(LoggerPlugin(log_headers=True))
    response = await send(api, mode, "GET", "/get", headers={"Authorization": "x"})
    assert response.status_code == 200
    with pytest.raises(axios_python.NetworkError):
        await send(api, mode, "GET", f"http://127.0.0.1:{closed_port()}/")
    assert logs() == []
    assert caplog.records == []


@MODES
async def test_errors_still_logged_when_only_request_level_is_off(
    mode: str, make_api: Any, send: Any, logs: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Logger at WARNING: no request/response records, but errors keep attempt and elapsed."""
    caplog.set_level(logging.WARNING, logger="axios_python")
    api = make_api()
    await send(api, mode, "GET", "/get")
    assert logs() == []
    with pytest.raises(axios_python.NetworkError):
        await send(api, mode, "GET", f"http://127.0.0.1:{closed_port()}/")
    (error,) = logs()
    assert error.http_event == "error"
    assert error.http_attempt == 1
    assert isinstance(error.http_elapsed_ms, float)


@MODES
async def test_a_rejected_status_keeps_its_elapsed_time_when_only_errors_are_on(
    mode: str, make_api: Any, send: Any, logs: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """on_response (level off) leaves the start time for on_error, which reports it; two
    plugins on one client each keep their own."""

    class Second(LoggerPlugin):
        name = "logger-2"

    caplog.set_level(logging.WARNING, logger="axios_python")
    api = make_api()
    api.plugin(Second())
    with pytest.raises(axios_python.HTTPStatusError):
        await send(api, mode, "GET", "/status/500", validate_status=lambda s: s < 400)
    errors = logs()
    assert [r.http_event for r in errors] == ["error", "error"]
    assert all(isinstance(r.http_elapsed_ms, float) for r in errors)


@MODES
async def test_level_changes_apply_at_once(
    mode: str, make_api: Any, send: Any, logs: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """The check is made per request: lowering the logger's level turns records on."""
    caplog.set_level(logging.ERROR, logger="axios_python")
    api = make_api()
    await send(api, mode, "GET", "/get")
    assert logs() == []
    caplog.set_level(logging.INFO, logger="axios_python")
    await send(api, mode, "GET", "/get")
    assert [r.http_event for r in logs()] == ["request", "response"]


class MutationSpy(dict[str, Any]):
    """A config dict that records every write made to it."""

    writes: list[str]

    def __setitem__(self, key: str, value: Any) -> None:
        self.writes.append(f"set {key}")
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self.writes.append(f"del {key}")
        super().__delitem__(key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self.writes.append("update")
        super().update(*args, **kwargs)

    def pop(self, *args: Any) -> Any:
        self.writes.append("pop")
        return super().pop(*args)

    def setdefault(self, *args: Any) -> Any:
        self.writes.append("setdefault")
        return super().setdefault(*args)

    def clear(self) -> None:
        self.writes.append("clear")
        super().clear()


@MODES
async def test_config_is_never_mutated(mode: str, make_api: Any, send: Any, logs: Any) -> None:
    """No write reaches the request config, and its headers stay as they were."""
    spy: list[MutationSpy] = []
    snapshot: list[Any] = []

    def to_spy(config: dict[str, Any]) -> MutationSpy:
        wrapped = MutationSpy(config)
        wrapped.writes = []
        spy.append(wrapped)
        snapshot.append((dict(config), list(config["headers"].multi_items())))
        return wrapped

    api = make_api(LoggerPlugin(level=logging.DEBUG, log_headers=True))
    api.interceptors.request.use(to_spy)
    response = await send(
        api, mode, "POST", "/post", json={"password": "pw"}, params={"token": "t"}
    )
    assert len(logs()) == 2
    (config,) = spy
    assert config.writes == []
    before, headers = snapshot[0]
    assert dict(config) == before
    assert list(config["headers"].multi_items()) == headers
    assert response.config is config
    assert response.data["json"] == {"password": "pw"}  # the body went out unredacted
    assert response.data["args"] == {"token": "t"}


@MODES
async def test_request_and_response_are_never_mutated(mode: str, logs: Any) -> None:
    """The request sent and the response returned are exactly what they would be without it."""
    seen: dict[str, Any] = {}

    def handler(request: axios_python.Request) -> Response:
        response = Response(
            200,
            headers={"Set-Cookie": "sid=1", "Content-Type": "application/json"},
            content=b'{"a": 1}',
            request=request,
            config=request.config,
        )
        seen["request"] = (
            request.method,
            str(request.url),
            list(request.headers.multi_items()),
            request.content,
        )
        seen["response"] = response
        seen["state"] = dict(vars(response))
        return response

    api = axios_python.AxiosPython(
        {"base_url": "http://api.test"}, transport=MockTransport(handler)
    )
    api.plugin(LoggerPlugin(level=logging.DEBUG, log_headers=True))
    options: dict[str, Any] = {"headers": {"Authorization": "Bearer t"}, "json": {"token": "t"}}
    if mode == "sync":
        response = api.post("/x?api_key=k", **options)
    else:
        response = await api.async_post("/x?api_key=k", **options)
    assert len(logs()) == 2
    request = response.request
    assert request is not None
    assert (
        request.method,
        str(request.url),
        list(request.headers.multi_items()),
        request.content,
    ) == seen["request"]
    assert response is seen["response"]
    state = dict(vars(response))
    assert state.keys() == seen["state"].keys()
    assert all(
        state[k] is seen["state"][k] for k in state
    )  # data still undecoded, no new attributes
    assert response.headers["set-cookie"] == "sid=1"
    assert response.data == {"a": 1}


async def test_importable_from_axios_python_and_by_entry_point(
    make_api: Any, send: Any, logs: Any
) -> None:
    """`from axios_python import LoggerPlugin` and api.plugin("logger", ...) give this plugin."""
    from axios_python import LoggerPlugin as Exported

    assert Exported is LoggerPlugin
    assert LoggerPlugin.name == "logger"
    api = make_api(False)
    plugin = api.plugin("logger", level="DEBUG", log_body=False)
    assert isinstance(plugin, LoggerPlugin)
    assert (plugin.level, plugin.log_body, plugin.log_headers) == (logging.DEBUG, False, False)
    await send(api, "async", "GET", "/get")
    assert [r.levelno for r in logs()] == [logging.DEBUG, logging.DEBUG]


async def test_the_readme_sample_runs_as_written(make_api: Any, send: Any, logs: Any) -> None:
    """The seed README's LoggerPlugin call works and logs at INFO."""
    api = make_api(False)
    api.plugin(
        LoggerPlugin(
            level=logging.INFO,
            log_headers=False,
            log_body=True,
        )
    )
    await send(api, "sync", "GET", "/json")
    request, response = logs()
    assert (request.levelno, response.levelno) == (logging.INFO, logging.INFO)
    assert response.http_body.startswith("{")
    assert not hasattr(response, "http_headers")


def test_options_are_checked() -> None:
    """Bad options fail at construction with a clear message; options are keyword-only."""
    with pytest.raises(ValueError, match="max_body_length"):
        LoggerPlugin(max_body_length=-1)
    with pytest.raises(ValueError, match="unknown logging level 'LOUD'"):
        LoggerPlugin(level="LOUD")
    with pytest.raises(TypeError, match="logger must be"):
        LoggerPlugin(logger=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="error_level must be"):
        LoggerPlugin(error_level=True)
    with pytest.raises(TypeError):
        LoggerPlugin(logging.INFO)  # type: ignore[call-arg]
    plugin = LoggerPlugin(level="warning", logger="x.y")
    assert (
        repr(plugin)
        == "LoggerPlugin(level=WARNING, log_headers=False, log_body=True, logger='x.y')"
    )
    assert plugin.logger is logging.getLogger("x.y")
    assert (plugin.error_level, plugin.max_body_length) == (logging.WARNING, 1024)


def test_a_failing_record_never_fails_the_request(
    logs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If a record cannot be built, a short record with the traceback is logged instead."""
    monkeypatch.setattr(axios_python_logger, "response_record", explode)
    api = axios_python.AxiosPython(transport=MockTransport(lambda request: Response(204)))
    api.plugin(LoggerPlugin())
    assert api.get("http://api.test/").status_code == 204
    _, failed = logs()
    assert failed.getMessage() == "HTTP response: the log record could not be built"
    assert failed.exc_info is not None
