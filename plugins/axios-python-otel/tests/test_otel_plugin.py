"""OtelPlugin through real local servers, sync and async, on both transports, with the SDK's
in-memory span exporter and metric reader."""

from __future__ import annotations

import asyncio
import importlib.util
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from axios_python_otel import OtelPlugin
from axios_python_testserver import LocalServer
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import axios_python
from axios_python import AxiosPython, FixedBackoff, NetworkError, Response

pytestmark = pytest.mark.anyio

NO_AIOHTTP = pytest.mark.skipif(
    importlib.util.find_spec("axios_python_aiohttp") is None,
    reason="axios-python-aiohttp not installed",
)


@pytest.fixture(params=["httpx", pytest.param("aiohttp", marks=NO_AIOHTTP)])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def plugin(tracer_provider: TracerProvider, meter_provider: MeterProvider) -> OtelPlugin:
    return OtelPlugin(tracer_provider=tracer_provider, meter_provider=meter_provider)


@pytest.fixture
async def api(
    transport: str, server: LocalServer, plugin: OtelPlugin
) -> AsyncIterator[AxiosPython]:
    client = axios_python.create(
        {
            "transport": transport,
            "base_url": server.url,
            "timeout": 5,
            "max_retries": 2,
            "retry_strategy": FixedBackoff(0, retry_on_status=[503]),
        }
    )
    client.plugin(plugin)
    try:
        yield client
    finally:
        await client.aclose()


async def call(api: AxiosPython, mode: str, url: str, **options: Any) -> Response:
    if mode == "sync":
        return api.get(url, **options)
    return await api.async_get(url, **options)


def client_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.kind is SpanKind.CLIENT]


def points(reader: InMemoryMetricReader, name: str) -> list[Any]:
    data = reader.get_metrics_data()
    found: list[Any] = []
    if data is None:
        return found
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    found.extend(metric.data.data_points)
    return found


def all_attribute_values(exporter: InMemorySpanExporter, reader: InMemoryMetricReader) -> str:
    """Every attribute value of every span, span event and metric point, as one string."""
    values: list[str] = []
    for span in exporter.get_finished_spans():
        values.extend(map(str, (span.attributes or {}).values()))
        values.append(span.name)
        values.append(str(span.status.description))
        for event in span.events:
            values.extend(map(str, (event.attributes or {}).values()))
    for name in ("http.client.request.duration", "http.client.active_requests"):
        for point in points(reader, name):
            values.extend(map(str, point.attributes.values()))
    return "\n".join(values)


# --- retries: one span per attempt ---------------------------------------------------------


async def test_a_get_that_succeeds_after_one_retry(
    api: AxiosPython,
    mode: str,
    server: LocalServer,
    tracer_provider: TracerProvider,
    exporter: InMemorySpanExporter,
    reader: InMemoryMetricReader,
) -> None:
    name = uuid.uuid4().hex
    with tracer_provider.get_tracer("test").start_as_current_span("caller") as parent:
        response = await call(api, mode, f"/flaky/{name}?fail=1&status=503")
    assert response.status_code == 200

    first, second = client_spans(exporter)
    for span in (first, second):
        assert span.name == "GET"
        assert span.parent is not None
        assert span.parent.span_id == parent.get_span_context().span_id
        assert span.context.trace_id == parent.get_span_context().trace_id
        attributes = span.attributes or {}
        assert attributes["http.request.method"] == "GET"
        assert attributes["server.address"] == "127.0.0.1"
        assert attributes["server.port"] == int(server.url.rsplit(":", 1)[1])
        assert attributes["url.full"] == f"{server.url}/flaky/{name}?fail=1&status=503"
        assert attributes["network.protocol.version"] == "1.1"
    assert first.attributes is not None
    assert second.attributes is not None
    assert first.attributes["http.response.status_code"] == 503
    assert first.attributes["error.type"] == "503"
    assert first.status.status_code is StatusCode.ERROR
    assert "http.request.resend_count" not in first.attributes
    assert second.attributes["http.response.status_code"] == 200
    assert second.attributes["http.request.resend_count"] == 1
    assert "error.type" not in second.attributes
    assert second.status.status_code is StatusCode.UNSET
    assert first.end_time is not None
    assert second.start_time is not None
    assert first.end_time <= second.start_time

    durations = points(reader, "http.client.request.duration")
    by_status = {p.attributes["http.response.status_code"]: p for p in durations}
    assert set(by_status) == {200, 503}
    assert by_status[503].attributes["error.type"] == "503"
    assert "error.type" not in by_status[200].attributes
    assert all(p.count == 1 for p in durations)
    (active,) = points(reader, "http.client.active_requests")
    assert active.value == 0
    assert dict(active.attributes) == {
        "http.request.method": "GET",
        "server.address": "127.0.0.1",
        "server.port": int(server.url.rsplit(":", 1)[1]),
    }


async def test_a_network_error_has_an_error_type(
    transport: str, mode: str, plugin: OtelPlugin, exporter: InMemorySpanExporter
) -> None:
    with LocalServer() as gone:
        url = gone.url
    api = axios_python.create({"transport": transport, "base_url": url, "timeout": 5})
    api.plugin(plugin)
    try:
        with pytest.raises(NetworkError):
            await call(api, mode, "/get")
    finally:
        await api.aclose()
    (span,) = client_spans(exporter)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "axios_python.NetworkError"
    assert "http.response.status_code" not in span.attributes
    assert span.status.status_code is StatusCode.ERROR


async def test_timings_are_span_attributes(
    api: AxiosPython, mode: str, exporter: InMemorySpanExporter
) -> None:
    await call(api, mode, "/get")
    (span,) = client_spans(exporter)
    assert span.attributes is not None
    assert span.attributes["axios_python.timings.connect"] >= 0
    assert span.attributes["axios_python.timings.wait"] >= 0


# --- trace context propagation -------------------------------------------------------------


async def test_trace_headers_go_to_the_base_url_origin_only(
    api: AxiosPython,
    mode: str,
    other_server: LocalServer,
    tracer_provider: TracerProvider,
    exporter: InMemorySpanExporter,
) -> None:
    with tracer_provider.get_tracer("test").start_as_current_span("caller"):
        own = await call(api, mode, "/headers")
        third_party = await call(api, mode, f"{other_server.url}/headers")
    own_span, other_span = client_spans(exporter)
    headers = {k.lower(): v for k, v in own.data["headers"].items()}
    context = own_span.get_span_context()
    flags = f"{int(context.trace_flags):02x}"
    assert headers["traceparent"] == f"00-{context.trace_id:032x}-{context.span_id:016x}-{flags}"
    others = {k.lower() for k in third_party.data["headers"]}
    assert "traceparent" not in others
    assert "tracestate" not in others
    assert other_span.attributes is not None  # still traced, only not told
    assert other_span.attributes["server.port"] == int(other_server.url.rsplit(":", 1)[1])


async def test_propagate_to_trusts_more_origins(
    transport: str,
    mode: str,
    server: LocalServer,
    other_server: LocalServer,
    tracer_provider: TracerProvider,
) -> None:
    api = axios_python.create({"transport": transport, "timeout": 5})  # no base_url
    api.plugin(OtelPlugin(tracer_provider=tracer_provider, propagate_to=[other_server.url]))
    try:
        with tracer_provider.get_tracer("test").start_as_current_span("caller"):
            trusted = await call(api, mode, f"{other_server.url}/headers")
            other = await call(api, mode, f"{server.url}/headers")
    finally:
        await api.aclose()
    assert "traceparent" in {k.lower() for k in trusted.data["headers"]}
    assert "traceparent" not in {k.lower() for k in other.data["headers"]}


async def test_no_trace_headers_without_an_sdk(
    transport: str, mode: str, server: LocalServer
) -> None:
    """The global providers are not set: the API's no-op tracer, nothing sent, no error."""
    api = axios_python.create({"transport": transport, "base_url": server.url, "timeout": 5})
    api.plugin(OtelPlugin())
    try:
        response = await call(api, mode, "/headers")
    finally:
        await api.aclose()
    assert "traceparent" not in {k.lower() for k in response.data["headers"]}


# --- secrets ---------------------------------------------------------------------------------


async def test_secrets_never_appear_in_attributes(
    transport: str,
    mode: str,
    server: LocalServer,
    tracer_provider: TracerProvider,
    meter_provider: MeterProvider,
    exporter: InMemorySpanExporter,
    reader: InMemoryMetricReader,
) -> None:
    plugin = OtelPlugin(
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
        redact_params=["tenant_key"],
    )
    userinfo_url = server.url.replace("http://", "http://alice:hunter2@")
    api = axios_python.create({"transport": transport, "base_url": userinfo_url, "timeout": 5})
    api.plugin(plugin)
    try:
        with tracer_provider.get_tracer("test").start_as_current_span("caller"):
            await call(
                api,
                mode,
                "/status/500?tenant_key=k3y-v4lue&keep=visible",
                headers={"X-Api-Key": "t0ken-v4lue"},
                validate_status=None,
            )
    finally:
        await api.aclose()
    text = all_attribute_values(exporter, reader)
    for secret in ("hunter2", "alice", "k3y-v4lue", "t0ken-v4lue"):
        assert secret not in text
    (span,) = client_spans(exporter)
    assert span.attributes is not None
    full = str(span.attributes["url.full"])
    assert full.startswith("http://REDACTED:REDACTED@127.0.0.1:")
    assert full.endswith("/status/500?tenant_key=REDACTED&keep=visible")
    assert span.attributes["error.type"] == "500"


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("sig=abc&x=1", "sig=REDACTED&x=1"),
        ("X-Goog-Signature=abc", "X-Goog-Signature=REDACTED"),
        ("AWSAccessKeyId=AKIA&Signature=s", "AWSAccessKeyId=REDACTED&Signature=REDACTED"),
        ("access_token=abc&page=2", "access_token=REDACTED&page=2"),
        ("page=2", "page=2"),
    ],
)
def test_default_redacted_query_parameters(query: str, shown: str) -> None:
    import httpx
    from axios_python_otel._attributes import DEFAULT_REDACT_PARAMS, UrlRedactor

    redactor = UrlRedactor(DEFAULT_REDACT_PARAMS)
    assert (
        redactor.url_full(httpx.URL(f"https://h.test/p?{query}#frag"))
        == f"https://h.test/p?{shown}"
    )


# --- cache hits, cancellation, every transport ----------------------------------------------


async def test_a_cache_hit_is_an_event_not_a_span(
    mode: str,
    server: LocalServer,
    tracer_provider: TracerProvider,
    meter_provider: MeterProvider,
    exporter: InMemorySpanExporter,
    reader: InMemoryMetricReader,
) -> None:
    from axios_python_cache import CachePlugin

    api = axios_python.create({"base_url": server.url, "timeout": 5})
    api.plugin(CachePlugin())
    api.plugin(OtelPlugin(tracer_provider=tracer_provider, meter_provider=meter_provider))
    url = f"/cache?max_age=60&n={uuid.uuid4().hex}"
    try:
        with tracer_provider.get_tracer("test").start_as_current_span("caller"):
            first = await call(api, mode, url)
            second = await call(api, mode, url)
    finally:
        await api.aclose()
    assert not first.from_cache
    assert second.from_cache
    assert len(client_spans(exporter)) == 1  # the network request only
    (caller,) = [s for s in exporter.get_finished_spans() if s.name == "caller"]
    (event,) = caller.events
    assert event.name == "axios_python.cache_hit"
    assert event.attributes is not None
    assert event.attributes["http.response.status_code"] == 200
    (duration,) = points(reader, "http.client.request.duration")
    assert duration.count == 1


async def test_a_cancelled_task_ends_its_span(
    transport: str,
    server: LocalServer,
    plugin: OtelPlugin,
    exporter: InMemorySpanExporter,
    reader: InMemoryMetricReader,
) -> None:
    api = axios_python.create({"transport": transport, "base_url": server.url, "timeout": 5})
    api.plugin(plugin)
    try:
        task = asyncio.ensure_future(api.async_get("/delay/3"))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    finally:
        await api.aclose()
    (span,) = client_spans(exporter)
    assert span.attributes is not None
    assert span.attributes["error.type"] == "asyncio.exceptions.CancelledError"
    (active,) = points(reader, "http.client.active_requests")
    assert active.value == 0


def test_entry_point_and_options(server: LocalServer) -> None:
    with axios_python.create({"base_url": server.url}) as api:
        plugin = api.plugin("otel", propagate_to=["*.example.com"])
        assert isinstance(plugin, OtelPlugin)
        assert api.get("/get").status_code == 200
    with pytest.raises(axios_python.ConfigError, match="propagate_to"):
        OtelPlugin(propagate_to="api.example.com")
    with pytest.raises(axios_python.ConfigError, match="redact_params"):
        OtelPlugin(redact_params=[""])


def test_the_distribution_metadata() -> None:
    import importlib.metadata

    import axios_python_otel

    assert importlib.metadata.version("axios-python-otel") == axios_python_otel.__version__
    (entry,) = importlib.metadata.entry_points(group="axios_python.plugins", name="otel")
    assert entry.load() is OtelPlugin
    assert axios_python.OtelPlugin is OtelPlugin  # the core's lazy export
    requires = importlib.metadata.requires("axios-python-otel") or []
    assert not any(r.startswith("opentelemetry-sdk") for r in requires)  # the API only


def test_any_transport_is_traced(
    tracer_provider: TracerProvider, exporter: InMemorySpanExporter
) -> None:
    """The hooks are the core's: a custom transport (here MockTransport) is traced alike."""
    mock = axios_python.MockTransport(lambda request: Response(418))
    with axios_python.create({"base_url": "https://api.test:8443"}, transport=mock) as api:
        api.plugin(OtelPlugin(tracer_provider=tracer_provider))
        api.get("/teapot", validate_status=None)
    (span,) = client_spans(exporter)
    assert span.attributes is not None
    assert span.attributes["server.address"] == "api.test"
    assert span.attributes["server.port"] == 8443
    assert span.attributes["http.response.status_code"] == 418
    assert span.attributes["error.type"] == "418"
    assert not any(k.startswith("axios_python.timings.") for k in span.attributes)
