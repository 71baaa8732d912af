"""Fixtures: real local servers, and OpenTelemetry SDK providers with in-memory exporters.

The SDK's global tracer provider can be set once per process, so the plugin under test gets
its providers as arguments (`tracer_provider=`, `meter_provider=`); the global ones stay unset,
which is also what the no-SDK tests need.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from axios_python_testserver import LocalServer
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter


@pytest.fixture(scope="session")
def server() -> Iterator[LocalServer]:
    """The server the clients' base_url points at: the trusted origin."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture(scope="session")
def other_server() -> Iterator[LocalServer]:
    """Another origin (another port): a third party, as far as trace headers go."""
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(autouse=True)
def _collect_garbage() -> Iterator[None]:
    yield
    gc.collect()


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def tracer_provider(exporter: InMemorySpanExporter) -> Iterator[TracerProvider]:
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield provider
    provider.shutdown()


@pytest.fixture
def reader() -> InMemoryMetricReader:
    return InMemoryMetricReader()


@pytest.fixture
def meter_provider(reader: InMemoryMetricReader) -> Iterator[MeterProvider]:
    provider = MeterProvider(metric_readers=[reader])
    yield provider
    provider.shutdown()
