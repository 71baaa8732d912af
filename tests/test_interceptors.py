"""Interceptors: registration, order, ejection, recovery, and the same behaviour sync and async."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from axios_python import (
    AxiosPython,
    HTTPStatusError,
    InterceptorManager,
    MiddlewareError,
    MockTransport,
    Request,
    Response,
)


def make_client(status: int = 200) -> tuple[AxiosPython, MockTransport]:
    """A client whose transport echoes the request's headers with the given status."""

    def handler(request: Request) -> Response:
        return Response(status, data={"headers": dict(request.headers)})

    transport = MockTransport(handler)
    return AxiosPython({"base_url": "http://example.test"}, transport=transport), transport


def call(api: AxiosPython, mode: str, url: str = "/x", **options: Any) -> Response:
    """Make a GET call sync, or async through a fresh event loop."""
    if mode == "sync":
        return api.get(url, **options)
    return asyncio.run(api.async_get(url, **options))


modes = pytest.mark.parametrize("mode", ["sync", "async"])


def test_use_returns_distinct_ids() -> None:
    """use() returns a distinct integer id per registration, on both sides."""
    api, _ = make_client()
    ids = [api.interceptors.request.use(lambda c: c) for _ in range(3)]
    assert ids == sorted(set(ids))
    assert all(isinstance(i, int) for i in ids)
    assert len(api.interceptors.request) == 3
    response_ids = [api.interceptors.response.use(lambda r: r, None) for _ in range(2)]
    assert len(set(response_ids)) == 2
    assert len(api.interceptors.response) == 2


def test_use_rejects_non_callables() -> None:
    """A handler that is not callable is refused at registration."""
    manager: InterceptorManager[Any] = InterceptorManager()
    with pytest.raises(TypeError, match="on_fulfilled"):
        manager.use("nope")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on_rejected"):
        manager.use(None, 42)  # type: ignore[arg-type]
    assert len(manager) == 0


@modes
def test_request_interceptors_run_in_registration_order(mode: str) -> None:
    """Request interceptors run first-registered first, and each sees the previous one's config."""
    api, transport = make_client()
    order: list[str] = []

    def make(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        def interceptor(config: dict[str, Any]) -> dict[str, Any]:
            order.append(name)
            previous = config["headers"].get("X-Chain", "")
            config["headers"]["X-Chain"] = previous + name
            return config

        return interceptor

    for name in "abc":
        api.interceptors.request.use(make(name))
    call(api, mode)
    assert order == ["a", "b", "c"]
    assert transport.requests[0].headers["X-Chain"] == "abc"


@modes
def test_response_interceptors_run_in_registration_order(mode: str) -> None:
    """Response interceptors run first-registered first."""
    api, _ = make_client()
    order: list[str] = []

    def make(name: str) -> Callable[[Response], Response]:
        def interceptor(response: Response) -> Response:
            order.append(name)
            response.data = [*response.data, name] if isinstance(response.data, list) else [name]
            return response

        return interceptor

    for name in "abc":
        api.interceptors.response.use(make(name))
    assert call(api, mode).data == ["a", "b", "c"]
    assert order == ["a", "b", "c"]


@modes
def test_eject_removes_only_that_interceptor(mode: str) -> None:
    """eject(id) removes one handler pair; unknown ids are ignored."""
    api, transport = make_client()
    seen: list[str] = []
    first = api.interceptors.request.use(lambda c: seen.append("first"))
    api.interceptors.request.use(lambda c: seen.append("second"))
    api.interceptors.request.eject(first)
    api.interceptors.request.eject(12345)
    response_id = api.interceptors.response.use(lambda r: seen.append("response"))
    api.interceptors.response.eject(response_id)
    call(api, mode)
    assert seen == ["second"]
    assert len(transport.requests) == 1


@modes
def test_clear_removes_all(mode: str) -> None:
    """clear() removes every handler on that side."""
    api, _ = make_client()
    seen: list[str] = []
    api.interceptors.request.use(lambda c: seen.append("req"))
    api.interceptors.response.use(lambda r: seen.append("res"))
    api.interceptors.request.clear()
    api.interceptors.response.clear()
    assert len(api.interceptors.request) == 0
    assert len(api.interceptors.response) == 0
    assert call(api, mode).status_code == 200
    assert seen == []


@modes
def test_fulfilled_returning_none_keeps_the_mutated_value(mode: str) -> None:
    """A handler that mutates in place and returns None keeps the mutation, on both sides."""
    api, transport = make_client()

    def add_header(config: dict[str, Any]) -> None:
        config["headers"]["X-Added"] = "yes"

    def set_data(response: Response) -> None:
        response.data = {"replaced": True}

    api.interceptors.request.use(add_header)
    api.interceptors.response.use(set_data)
    response = call(api, mode)
    assert transport.requests[0].headers["X-Added"] == "yes"
    assert isinstance(response, Response)
    assert response.data == {"replaced": True}


@modes
def test_response_interceptor_may_replace_the_response(mode: str) -> None:
    """A fulfilled handler's return value is what the caller gets."""
    api, _ = make_client()
    replacement = Response(201, data={"new": 1})
    api.interceptors.response.use(lambda r: replacement)
    assert call(api, mode) is replacement


@modes
def test_raising_request_interceptor_reaches_response_rejected(mode: str) -> None:
    """An error raised by a request interceptor skips the transport and reaches rejected handlers."""
    api, transport = make_client()
    boom = RuntimeError("no token")
    seen: list[BaseException] = []

    def fail(config: dict[str, Any]) -> dict[str, Any]:
        raise boom

    def rejected(error: BaseException) -> None:
        seen.append(error)

    api.interceptors.request.use(fail)
    api.interceptors.response.use(None, rejected)
    with pytest.raises(RuntimeError) as info:
        call(api, mode)
    assert info.value is boom
    assert seen == [boom]
    assert transport.requests == []


@modes
def test_raising_request_interceptor_skips_later_request_fulfilled(mode: str) -> None:
    """After a request interceptor raises, later request fulfilled handlers do not run."""
    api, _ = make_client()
    seen: list[str] = []

    def fail(config: dict[str, Any]) -> dict[str, Any]:
        raise ValueError("bad")

    api.interceptors.request.use(fail)
    api.interceptors.request.use(lambda c: seen.append("later"))
    with pytest.raises(ValueError, match="bad"):
        call(api, mode)
    assert seen == []


@modes
def test_rejected_returning_a_response_recovers(mode: str) -> None:
    """A rejected handler returning a Response turns the failure into that response."""
    api, _ = make_client(status=503)
    fallback = Response(200, data={"fallback": True})
    api.interceptors.response.use(None, lambda error: fallback)
    response = call(api, mode, validate_status=lambda s: s < 400)
    assert response is fallback
    assert response.data == {"fallback": True}


@modes
def test_later_handlers_see_the_recovered_value(mode: str) -> None:
    """After a recovery, the next pair's fulfilled handler sees the recovered response."""
    api, _ = make_client(status=500)
    seen: list[int] = []
    api.interceptors.response.use(None, lambda error: Response(299))
    api.interceptors.response.use(lambda r: seen.append(r.status_code))
    assert call(api, mode, validate_status=lambda s: s < 400).status_code == 299
    assert seen == [299]


@modes
def test_rejected_returning_none_passes_the_error_on(mode: str) -> None:
    """A rejected handler returning None does not handle the error: the caller gets it."""
    api, _ = make_client(status=404)
    seen: list[str] = []
    api.interceptors.response.use(None, lambda error: seen.append("first"))
    api.interceptors.response.use(None, lambda error: seen.append("second"))
    with pytest.raises(HTTPStatusError) as info:
        call(api, mode, validate_status=lambda s: s < 400)
    assert info.value.response.status_code == 404
    assert seen == ["first", "second"]


@modes
def test_rejected_may_raise_another_error(mode: str) -> None:
    """A rejected handler that raises replaces the error; the next rejected handler sees the new one."""
    api, _ = make_client(status=401)

    class AuthExpired(Exception):
        pass

    seen: list[BaseException] = []

    def convert(error: BaseException) -> None:
        raise AuthExpired("log in again") from error

    api.interceptors.response.use(None, convert)
    api.interceptors.response.use(None, seen.append)
    with pytest.raises(AuthExpired, match="log in again") as info:
        call(api, mode, validate_status=lambda s: s < 400)
    assert isinstance(info.value.__cause__, HTTPStatusError)
    assert seen == [info.value]


@modes
def test_rejected_may_reraise(mode: str) -> None:
    """`raise error` in a rejected handler (the README pattern) propagates the same error."""
    api, _ = make_client(status=401)
    refreshed: list[int] = []

    def handle_401(error: HTTPStatusError) -> None:
        if error.response is not None and error.response.status_code == 401:
            refreshed.append(401)
        raise error

    api.interceptors.response.use(lambda r: r, handle_401)
    with pytest.raises(HTTPStatusError) as info:
        call(api, mode, validate_status=lambda s: s < 400)
    assert info.value.response.status_code == 401
    assert refreshed == [401]


@modes
def test_validate_status_rejection_reaches_rejected(mode: str) -> None:
    """A status rejected by validate_status reaches rejected handlers as HTTPStatusError."""
    api, transport = make_client(status=500)
    errors: list[BaseException] = []
    api.interceptors.response.use(None, errors.append)
    with pytest.raises(HTTPStatusError):
        call(api, mode, validate_status=lambda s: 200 <= s < 300)
    [error] = errors
    assert isinstance(error, HTTPStatusError)
    assert error.response is not None
    assert error.response.status_code == 500
    assert error.code == "ERR_BAD_RESPONSE"
    assert error.request is transport.requests[0]
    assert error.config is not None
    assert error.config["url"] == "/x"


@modes
def test_fulfilled_not_called_on_error_and_rejected_not_called_on_success(mode: str) -> None:
    """Each pair sees exactly one of value or error."""
    api, _ = make_client(status=200)
    seen: list[str] = []
    api.interceptors.response.use(
        lambda r: seen.append("fulfilled"), lambda e: seen.append("rejected")
    )
    call(api, mode)
    assert seen == ["fulfilled"]
    seen.clear()
    with pytest.raises(HTTPStatusError):
        call(api, mode, validate_status=lambda s: s == 201)
    assert seen == ["rejected"]


@modes
def test_error_raised_by_response_fulfilled_reaches_later_rejected(mode: str) -> None:
    """A fulfilled response handler that raises hands the error to the next pair's rejected."""
    api, _ = make_client()
    seen: list[BaseException] = []

    def fail(response: Response) -> Response:
        raise KeyError("missing")

    api.interceptors.response.use(fail)
    api.interceptors.response.use(None, lambda e: seen.append(e) or Response(202))
    assert call(api, mode).status_code == 202
    assert isinstance(seen[0], KeyError)


@modes
def test_request_interceptor_returning_non_dict(mode: str) -> None:
    """A request interceptor that returns something other than the config dict is a MiddlewareError."""
    api, transport = make_client()
    api.interceptors.request.use(lambda config: "oops")
    with pytest.raises(MiddlewareError, match="str") as info:
        call(api, mode)
    assert "request interceptor" in str(info.value)
    assert transport.requests == []


@modes
def test_request_interceptor_returning_non_dict_reaches_rejected(mode: str) -> None:
    """With response interceptors registered, that MiddlewareError reaches their rejected side."""
    api, transport = make_client()
    api.interceptors.request.use(lambda config: ["not", "a", "dict"])
    errors: list[BaseException] = []
    api.interceptors.response.use(None, errors.append)
    with pytest.raises(MiddlewareError, match="list"):
        call(api, mode)
    assert len(errors) == 1
    assert isinstance(errors[0], MiddlewareError)
    assert transport.requests == []


@modes
def test_request_interceptor_may_return_a_new_dict(mode: str) -> None:
    """A request interceptor may return a new dict, which replaces the config."""
    api, transport = make_client()
    api.interceptors.request.use(lambda config: {**config, "url": "/other"})
    call(api, mode)
    assert transport.requests[0].url.path == "/other"


def test_interceptors_are_per_client() -> None:
    """Interceptors registered on one client do not affect another."""
    first, first_transport = make_client()
    second, second_transport = make_client()
    first.interceptors.request.use(lambda c: c["headers"].update({"X-First": "1"}))
    first.get("/x")
    second.get("/x")
    assert first_transport.requests[0].headers["X-First"] == "1"
    assert "X-First" not in second_transport.requests[0].headers


def test_sync_and_async_record_identical_traces() -> None:
    """The same interceptors produce the same sequence of calls sync and async."""
    traces: dict[str, list[str]] = {}
    for mode in ("sync", "async"):
        api, _ = make_client(status=418)
        trace: list[str] = []
        traces[mode] = trace
        api.interceptors.request.use(lambda c, t=trace: t.append("req1"))
        api.interceptors.request.use(lambda c, t=trace: t.append("req2"))
        api.interceptors.response.use(
            lambda r, t=trace: t.append("ok1"), lambda e, t=trace: t.append(f"err1:{e.code}")
        )
        api.interceptors.response.use(
            None, lambda e, t=trace: t.append("err2") or Response(200, data="recovered")
        )
        api.interceptors.response.use(lambda r, t=trace: t.append(f"ok3:{r.data}"))
        response = call(api, mode, validate_status=lambda s: s < 400)
        assert response.data == "recovered"
    assert traces["sync"] == traces["async"]
    assert traces["sync"] == ["req1", "req2", "err1:ERR_BAD_REQUEST", "err2", "ok3:recovered"]
