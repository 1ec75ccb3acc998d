"""Traces for this service: a server span per HTTP request (continuing the caller's W3C traceparent,
so it sits under Kong's span), a producer span per publish to RabbitMQ with the trace context in the
message's headers, and a consumer span per delivery under it. Spans go to OTEL_EXPORTER_OTLP_ENDPOINT
(OTLP/HTTP), named OTEL_SERVICE_NAME.

Two backends behind one small interface (`tracer.server_span`, `producer_span`, `consumer_span`,
`trace_id`, `flush`):

- the OpenTelemetry SDK, when it is installed (`pip install opentelemetry-sdk
  opentelemetry-exporter-otlp-proto-http`): its TracerProvider, batch processor and OTLP exporter;
- otherwise a minimal tracer in the standard library (W3C traceparent in and out, spans batched every
  200 ms and sent as OTLP/JSON), so a service built where PyPI cannot be reached still shows in the
  trace. Which one runs is said once at start.

With no endpoint set, tracing is off and every call is a no-op."""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import queue
import re
import threading
import time
import urllib.request
from typing import Callable, Iterator, List, Mapping, MutableMapping, Optional

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
SERVER, PRODUCER, CONSUMER = 2, 4, 5
# Named as the TypeScript and Go templates name it (OpenTelemetry's amqplib instrumentation):
# "publish <exchange>", and the template publishes to the default exchange.
PUBLISH_DEFAULT = "publish <default>"


def parse_traceparent(value: Optional[str]):
    """(trace_id, parent_id, sampled) from a W3C traceparent, or None when absent or invalid."""
    match = TRACEPARENT.match((value or "").strip().lower())
    if not match or set(match.group(1)) == {"0"} or set(match.group(2)) == {"0"}:
        return None
    return match.group(1), match.group(2), int(match.group(3), 16) & 1 == 1


class Span:
    def __init__(self, name: str, kind: int, trace_id: str, parent_id: str, sampled: bool, attributes: dict):
        self.name = name
        self.kind = kind
        self.trace_id = trace_id
        self.span_id = os.urandom(8).hex()
        self.parent_id = parent_id
        self.sampled = sampled
        self.attributes = dict(attributes)
        self.start_ns = time.time_ns()
        self.end_ns = 0
        self.status = 0  # 0 unset, 2 error
        self.message = ""

    def set_attribute(self, key: str, value) -> None:
        self.attributes[key] = value

    def set_error(self, message: str) -> None:
        self.status, self.message = 2, message

    def traceparent(self) -> str:
        return f"00-{self.trace_id}-{self.span_id}-{'01' if self.sampled else '00'}"


def _any_value(value) -> dict:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}


def otlp_json(spans: List[Span], service: str) -> dict:
    """An ExportTraceServiceRequest in OTLP's JSON encoding (hex ids, int64 as strings)."""
    return {"resourceSpans": [{
        "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
        "scopeSpans": [{"scope": {"name": "mkdev-python-tracer", "version": "1"}, "spans": [{
            "traceId": s.trace_id,
            "spanId": s.span_id,
            **({"parentSpanId": s.parent_id} if s.parent_id else {}),
            "name": s.name,
            "kind": s.kind,
            "startTimeUnixNano": str(s.start_ns),
            "endTimeUnixNano": str(s.end_ns),
            "attributes": [{"key": k, "value": _any_value(v)} for k, v in s.attributes.items()],
            "status": {"code": s.status, **({"message": s.message} if s.message else {})},
        } for s in spans]}],
    }]}


class StdlibTracer:
    """Spans in a context variable; finished sampled spans go to a bounded queue that a thread sends
    every `delay` seconds (at most `batch` at a time) as OTLP/JSON. A full queue drops new spans."""

    def __init__(self, endpoint: str, service: str, log: Callable[[str], None], delay: float = 0.2,
                 batch: int = 512, max_queue: int = 2048):
        self._url = endpoint.rstrip("/") + "/v1/traces"
        self._service = service
        self._log = log
        self._delay = delay
        self._batch = batch
        self._queue: "queue.Queue[Span]" = queue.Queue(max_queue)
        self._current: contextvars.ContextVar[Optional[Span]] = contextvars.ContextVar("span", default=None)
        self._dropped = 0
        self._last_error = 0.0
        self._flushed = threading.Event()
        threading.Thread(target=self._send_forever, name="traces", daemon=True).start()

    @contextlib.contextmanager
    def _span(self, name: str, kind: int, parent: Optional[tuple], attributes: dict) -> Iterator[Span]:
        current = self._current.get()
        if parent is not None:
            trace_id, parent_id, sampled = parent
        elif current is not None:
            trace_id, parent_id, sampled = current.trace_id, current.span_id, current.sampled
        else:
            trace_id, parent_id, sampled = os.urandom(16).hex(), "", True
        span = Span(name, kind, trace_id, parent_id, sampled, attributes)
        token = self._current.set(span)
        try:
            yield span
        except BaseException as error:
            span.set_error(repr(error))
            raise
        finally:
            self._current.reset(token)
            span.end_ns = time.time_ns()
            if span.sampled:
                try:
                    self._queue.put_nowait(span)
                except queue.Full:
                    self._dropped += 1

    def server_span(self, method: str, path: str, headers: Mapping[str, str]):
        return self._span(method, SERVER, parse_traceparent(headers.get("traceparent")),
                          {"http.request.method": method, "url.path": path})

    def producer_span(self, destination: str, headers: MutableMapping[str, str]):
        @contextlib.contextmanager
        def producing() -> Iterator[Span]:
            with self._span(PUBLISH_DEFAULT, PRODUCER, None,
                            {"messaging.system": "rabbitmq", "messaging.operation": "publish",
                             "messaging.rabbitmq.routing_key": destination}) as span:
                headers["traceparent"] = span.traceparent()
                yield span
        return producing()

    def consumer_span(self, destination: str, headers: Mapping[str, str]):
        return self._span(f"{destination} process", CONSUMER, parse_traceparent(headers.get("traceparent")),
                          {"messaging.system": "rabbitmq", "messaging.operation": "process",
                           "messaging.rabbitmq.routing_key": destination})

    def trace_id(self) -> Optional[str]:
        span = self._current.get()
        return span.trace_id if span is not None else None

    def http_status(self, span: Optional[Span], status: int) -> None:
        if span is None:
            return
        span.set_attribute("http.response.status_code", status)
        if status >= 500:
            span.set_error(f"HTTP {status}")

    def flush(self, timeout: float = 2.0) -> None:
        self._flushed.clear()
        self._flushed.wait(timeout if not self._queue.empty() else 0)

    def _send_forever(self) -> None:
        while True:
            time.sleep(self._delay)
            spans: List[Span] = []
            while len(spans) < self._batch:
                try:
                    spans.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            if spans:
                self._send(spans)
            if self._queue.empty():
                self._flushed.set()

    def _send(self, spans: List[Span]) -> None:
        body = json.dumps(otlp_json(spans, self._service)).encode()
        request = urllib.request.Request(self._url, data=body, method="POST",
                                         headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                response.read()
        except Exception as error:  # noqa: BLE001 - telemetry never breaks the service; said once a minute
            if time.monotonic() - self._last_error > 60:
                self._last_error = time.monotonic()
                self._log(f"tracing: could not send {len(spans)} spans to {self._url}: {error!r}")


class SdkTracer:
    """The same interface over the OpenTelemetry SDK (used when it is installed)."""

    def __init__(self, service: str):
        from opentelemetry import propagate, trace
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        self._trace, self._propagate = trace, propagate
        provider = TracerProvider(resource=Resource.create({"service.name": service}))
        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(), schedule_delay_millis=200))
        trace.set_tracer_provider(provider)
        self._provider = provider
        self._tracer = trace.get_tracer("mkdev-service")

    def _span(self, name, kind, carrier, attributes):
        from opentelemetry.trace import SpanKind
        kinds = {SERVER: SpanKind.SERVER, PRODUCER: SpanKind.PRODUCER, CONSUMER: SpanKind.CONSUMER}
        # HTTP headers (any case) or a message's headers; the W3C propagator reads lower-case keys.
        context = self._propagate.extract({k.lower(): v for k, v in carrier.items()}) if carrier is not None else None
        return self._tracer.start_as_current_span(name, context=context, kind=kinds[kind], attributes=attributes)

    def server_span(self, method, path, headers):
        return self._span(method, SERVER, headers, {"http.request.method": method, "url.path": path})

    def producer_span(self, destination, headers):
        @contextlib.contextmanager
        def producing():
            with self._span(PUBLISH_DEFAULT, PRODUCER, None,
                            {"messaging.system": "rabbitmq", "messaging.rabbitmq.routing_key": destination}) as span:
                self._propagate.inject(headers)
                yield span
        return producing()

    def consumer_span(self, destination, headers):
        return self._span(f"{destination} process", CONSUMER, headers,
                          {"messaging.system": "rabbitmq", "messaging.rabbitmq.routing_key": destination})

    def trace_id(self):
        context = self._trace.get_current_span().get_span_context()
        return format(context.trace_id, "032x") if context.is_valid else None

    def http_status(self, span, status):
        if span is None:
            return
        span.set_attribute("http.response.status_code", status)
        if status >= 500:
            from opentelemetry.trace import Status, StatusCode
            span.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))

    def flush(self, timeout: float = 2.0):
        self._provider.force_flush(int(timeout * 1000))


class NoTracer:
    @contextlib.contextmanager
    def _none(self, *_args) -> Iterator[None]:
        yield None

    server_span = producer_span = consumer_span = _none

    def trace_id(self):
        return None

    def http_status(self, span, status):
        pass

    def flush(self, timeout: float = 2.0):
        pass


def create_tracer(env: Mapping[str, str], log: Callable[[str], None]):
    """The tracer the environment asks for, saying which one it is (one line)."""
    endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "").strip()
    service = env.get("OTEL_SERVICE_NAME") or env.get("SERVICE_NAME") or "__SERVICE_NAME__"
    if not endpoint or env.get("OTEL_SDK_DISABLED") == "true":
        log("tracing off: OTEL_EXPORTER_OTLP_ENDPOINT is not set")
        return NoTracer()
    try:
        tracer = SdkTracer(service)
        log(f"tracing to {endpoint} with the OpenTelemetry SDK")
        return tracer
    except ImportError:
        log(f"tracing to {endpoint} with mkdev's minimal tracer (OTLP/JSON): the OpenTelemetry SDK is not "
            "installed (pip install opentelemetry-sdk opentelemetry-exporter-otlp-proto-http to use it)")
        return StdlibTracer(endpoint, service, log)

