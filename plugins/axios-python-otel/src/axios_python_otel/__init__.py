"""OpenTelemetry for axios_python: a CLIENT span per attempt, W3C trace context sent to trusted
origins only, and the HTTP client metrics, named as the semantic conventions say.

```python
from axios_python_otel import OtelPlugin

api = axios_python.create({"base_url": "https://api.example.com", "max_retries": 2})
api.plugin(OtelPlugin())
```

Hooks (all observe; none changes a config or a response):

- `on_register`: trusts the client's `base_url` origin for trace headers, and adds an
  outermost pass-through middleware, which closes an attempt's span if the call dies of
  something the error hook never sees (a cancelled asyncio task, KeyboardInterrupt), and adds
  an `axios_python.cache_hit` event to the caller's span for a response a cache answered;
- `on_transport` (trylast, returns None): runs only for a request that goes to the network
  (a cache that answered before it skips it): starts the attempt's span, injects
  `traceparent`/`tracestate` when the origin is trusted, counts an active request;
- `on_response` / `on_error`: end the span, record `http.client.request.duration`.

With no OpenTelemetry SDK configured, the API's no-op tracer and meter make each hook cost
a few dict operations (see bench/otel_overhead.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from time import perf_counter
from typing import Any

import httpx
from opentelemetry import metrics, propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode

import axios_python
from axios_python import (
    AxiosPythonError,
    ConfigError,
    HostPolicy,
    HTTPStatusError,
    Response,
    Timings,
)

from ._attributes import (
    DEFAULT_REDACT_PARAMS,
    DURATION_BUCKETS,
    REDACTED,
    UrlRedactor,
    error_type,
    known_method,
    protocol_version,
    server_port,
)
from ._version import __version__

__all__ = ["DEFAULT_REDACT_PARAMS", "REDACTED", "OtelPlugin", "__version__"]

SCOPE = "axios_python_otel"
SCHEMA_URL = "https://opentelemetry.io/schemas/1.27.0"
CACHE_HIT_EVENT = "axios_python.cache_hit"
_CALL_KEY = "_axios_python_otel"  # the config key of a call's `_Call`
_TIMING_PREFIX = "axios_python.timings."
_PHASES = tuple(field.name for field in fields(Timings))  # dns, connect, ..., receive


class _Attempt:
    """One attempt that went to the network: its span, and what its metrics need."""

    __slots__ = ("attributes", "span", "started")

    def __init__(self, span: trace.Span, attributes: dict[str, Any], started: float) -> None:
        self.span = span
        self.attributes = attributes  # the metric attributes known at the start
        self.started = started


class _Call:
    """One call through the client (all its attempts): shared by the attempts' configs."""

    __slots__ = ("open", "sent")

    def __init__(self) -> None:
        self.open: _Attempt | None = None
        self.sent = 0  # attempts that went to the network: the next one's resend count


class OtelPlugin(axios_python.Plugin):
    """Traces and measures each attempt by the OpenTelemetry HTTP client conventions.

    Args:
        tracer_provider: where spans go (default: the global one, set by the SDK's setup).
        meter_provider: where metrics go (default: the global one).
        propagate_to: more hosts or origins that get `traceparent`/`tracestate`, besides the
            client's `base_url` origin, in AuthPlugin's `allowed_hosts` forms
            (`"https://api.example.com"`, `"api.example.com"`, `"*.example.com"`, ...).
        propagate_to_any_host: send trace headers to every host. Off by default: a request to
            a third party does not learn your trace ids.
        redact_params: query parameters whose values `url.full` shows as `REDACTED` (names
            or globs, case-insensitive). Default `DEFAULT_REDACT_PARAMS`; extend it with
            `(*DEFAULT_REDACT_PARAMS, "my_secret")`. User info is always redacted.
        record_timings: add the response's `Timings` (connect, tls, send, wait, ...) to the
            span as `axios_python.timings.<phase>` attributes, in seconds.

    Each attempt that goes to the network gets a CLIENT span named after the method, a child of
    the caller's current span; a retry's span has `http.request.resend_count`. Redirects
    followed by the transport are part of their attempt's span.
    """

    name = "otel"

    def __init__(
        self,
        *,
        tracer_provider: trace.TracerProvider | None = None,
        meter_provider: metrics.MeterProvider | None = None,
        propagate_to: Iterable[str] = (),
        propagate_to_any_host: bool = False,
        redact_params: Iterable[str] | None = None,
        record_timings: bool = True,
    ) -> None:
        try:
            self._hosts = HostPolicy(
                propagate_to, allow_any=bool(propagate_to_any_host), option="propagate_to"
            )
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"OtelPlugin: {exc}", key="propagate_to") from exc
        try:
            self._redactor = UrlRedactor(
                DEFAULT_REDACT_PARAMS if redact_params is None else redact_params
            )
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"OtelPlugin: {exc}", key="redact_params") from exc
        self._record_timings = bool(record_timings)
        self._tracer = trace.get_tracer(
            SCOPE, __version__, tracer_provider=tracer_provider, schema_url=SCHEMA_URL
        )
        meter = metrics.get_meter(
            SCOPE, __version__, meter_provider=meter_provider, schema_url=SCHEMA_URL
        )
        self._duration = meter.create_histogram(
            "http.client.request.duration",
            unit="s",
            description="Duration of HTTP client requests.",
            explicit_bucket_boundaries_advisory=list(DURATION_BUCKETS),
        )
        self._active = meter.create_up_down_counter(
            "http.client.active_requests",
            unit="{request}",
            description="Number of active HTTP requests.",
        )

    def __repr__(self) -> str:
        return f"<OtelPlugin trace headers to {self._hosts!r}>"

    # --- hooks ---------------------------------------------------------------------------

    def on_register(self, client: Any) -> None:
        self._hosts.add_base_url(client.defaults.get("base_url"))
        client.use(self._guard, outermost=True)

    async def _guard(self, ctx: dict[str, Any], next_fn: Any) -> Response:
        """Middleware, outermost: one `_Call` per call; ends a span that no hook ended (the
        call died of a BaseException, which the error hook does not see); notes cache hits."""
        call = ctx.get(_CALL_KEY)
        if type(call) is not _Call:
            call = ctx[_CALL_KEY] = _Call()
        try:
            response: Response = await next_fn(ctx)
        except BaseException as exc:
            attempt = call.open
            if attempt is not None:
                call.open = None
                self._end(attempt, None, error_type(exc))
            raise
        if response.from_cache:
            self._cache_hit(response, revalidated=call.sent > 0)
        return response

    @axios_python.hookimpl(trylast=True)
    def on_transport(self, request: httpx.Request, config: dict[str, Any], attempt: int) -> None:
        call = config.get(_CALL_KEY)
        if type(call) is _Call:
            resend = call.sent
            call.sent += 1
            if call.open is not None:  # an attempt no hook ended (a plugin failed before us)
                self._end(call.open, None, "axios_python.PluginError")
        else:  # no guard (the plugin's middleware was removed): count this call's attempts
            call, resend = None, attempt - 1
        url = request.url
        method = request.method
        known = known_method(method)
        attributes: dict[str, Any] = {
            "http.request.method": known,
            "server.address": url.host,
            "server.port": server_port(url),
        }
        span_attributes = {**attributes, "url.full": self._redactor.url_full(url)}
        if known == "_OTHER":
            span_attributes["http.request.method_original"] = method
        if resend:
            span_attributes["http.request.resend_count"] = resend
        span = self._tracer.start_span(
            "HTTP" if known == "_OTHER" else method,
            kind=SpanKind.CLIENT,
            attributes=span_attributes,
        )
        self._active.add(1, attributes)
        state = _Attempt(span, attributes, perf_counter())
        if call is not None:
            call.open = state
        else:
            config[_CALL_KEY] = state
        if span.get_span_context().is_valid and self._hosts.allows_url(url):
            propagate.inject(request.headers, context=trace.set_span_in_context(span))

    def on_response(self, response: Response, config: dict[str, Any]) -> None:
        state = self._take(config)
        if state is not None:  # None: a cache answered in on_transport
            self._end(state, response, None)

    def on_error(self, error: AxiosPythonError, config: dict[str, Any]) -> None:
        state = self._take(config)
        if state is not None:  # None: on_response ended it, and validate_status rejected it
            response = error.response if isinstance(error, HTTPStatusError) else None
            self._end(state, response, None if response is not None else error_type(error))

    # --- helpers -------------------------------------------------------------------------

    @staticmethod
    def _take(config: dict[str, Any]) -> _Attempt | None:
        """The attempt the config's call has open, which the caller then ends."""
        holder = config.get(_CALL_KEY)
        if type(holder) is _Call:
            state = holder.open
            holder.open = None
            return state
        if type(holder) is _Attempt:
            del config[_CALL_KEY]
            return holder
        return None

    def _end(self, state: _Attempt, response: Response | None, error: str | None) -> None:
        duration = perf_counter() - state.started
        attributes = state.attributes
        self._active.add(-1, attributes)
        span = state.span
        metric_attributes = dict(attributes)
        if response is not None:
            status = response.status_code
            metric_attributes["http.response.status_code"] = status
            version = protocol_version(response.http_version)
            if version is not None:
                metric_attributes["network.protocol.version"] = version
            if status >= 400:
                error = str(status)
        if error is not None:
            metric_attributes["error.type"] = error
        if span.is_recording():
            span.set_attributes({k: v for k, v in metric_attributes.items() if k not in attributes})
            if response is not None and self._record_timings:
                span.set_attributes(_timing_attributes(response))
            if error is not None:
                span.set_status(Status(StatusCode.ERROR, error))
        span.end()
        self._duration.record(duration, metric_attributes)

    def _cache_hit(self, response: Response, *, revalidated: bool) -> None:
        """An event on the caller's span (a cache hit is no network request: no span)."""
        span = trace.get_current_span()
        if not span.is_recording():
            return
        event: dict[str, Any] = {
            "http.response.status_code": response.status_code,
            "axios_python.cache.revalidated": revalidated,
        }
        request = response.request
        if request is not None:
            event["http.request.method"] = known_method(request.method)
            event["url.full"] = self._redactor.url_full(request.url)
        span.add_event(CACHE_HIT_EVENT, event)


def _timing_attributes(response: Response) -> dict[str, float]:
    timings = response.timings
    phases = ((phase, getattr(timings, phase)) for phase in _PHASES)
    return {_TIMING_PREFIX + phase: value for phase, value in phases if value is not None}
