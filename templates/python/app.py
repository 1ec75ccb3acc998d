"""The HTTP API: health, a sample endpoint and the verification flow. Paths are answered with or
without the route prefix (see config.local_path), so it works through Kong and when called directly."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler
from typing import Callable, List
from urllib.parse import urlsplit

from config import Config, local_path
from connections import Connections
from tracing import NoTracer
from verification import new_token, parse_verification_request, verification_message

MAX_BODY = 64 * 1024


class State:
    def __init__(self, publish: Callable[[dict], None], connected: Callable[[], bool]):
        self.publish = publish
        self.connected = connected
        self.registered = False
        self._processed: List[dict] = []
        self._lock = threading.Lock()

    def healthy(self) -> bool:
        """GET /healthz, Consul's check: this instance can serve (RabbitMQ connected). It must not
        depend on the registrations, or Consul would mark a fresh instance critical until its next check."""
        return self.connected()

    def ready(self) -> bool:
        """GET /readyz, what 'mkdev up' waits for: healthy and registered on Consul and Kong."""
        return self.registered and self.connected()

    def record(self, message: dict) -> None:
        with self._lock:
            self._processed.append({**message, "processedAt": datetime.now(timezone.utc).isoformat()})

    def processed(self) -> List[dict]:
        with self._lock:
            return list(self._processed)


def make_handler(config: Config, state: State, tracer=None, connections: Connections | None = None):
    tracer = tracer or NoTracer()
    connections = connections or Connections()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        span = None

        def log_message(self, format, *args):  # noqa: A002 - the base class's signature
            pass  # one line per request is noise next to the stack's logs

        def setup(self) -> None:
            super().setup()
            connections.opened()

        def finish(self) -> None:
            try:
                super().finish()
            finally:
                connections.closed()

        def handle_one_request(self) -> None:
            # An idle kept-alive connection closes when the process hands over (connections.py).
            if not connections.next_request(self.connection):
                self.close_connection = True
                return
            super().handle_one_request()

        def _send(self, status: int, body: object) -> None:
            tracer.http_status(self.span, status)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            if connections.closing:
                self.send_header("connection", "close")  # also ends this connection after the answer
            self.end_headers()
            self.wfile.write(data)

        def _path(self) -> str:
            return local_path(config.route_path, urlsplit(self.path).path)

        def _traced(self, handle) -> None:
            """A server span around the request (continuing the caller's traceparent); probes are not traced."""
            if self._path() in ("/healthz", "/readyz"):
                handle()
                return
            with tracer.server_span(self.command, urlsplit(self.path).path, self.headers) as span:
                self.span = span
                try:
                    handle()
                finally:
                    self.span = None

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self._traced(self._get)

        def do_POST(self) -> None:  # noqa: N802
            self._traced(self._post)

        def _get(self) -> None:
            path = self._path()
            if path in ("/healthz", "/readyz"):
                ok = state.healthy() if path == "/healthz" else state.ready()
                self._send(200 if ok else 503, {"status": "ok" if ok else "starting", "instance": config.instance_id})
            elif path == "/":
                self._send(200, {"service": config.service_name, "instance": config.instance_id,
                                 "message": f"hello from {config.service_name}"})
            elif path == "/verifications":
                self._send(200, {"processed": state.processed()})
            else:
                self._send(404, {"error": f"no route for GET {urlsplit(self.path).path}"})

        def _post(self) -> None:
            if self._path() != "/verifications":
                self._send(404, {"error": f"no route for POST {urlsplit(self.path).path}"})
                return
            length = int(self.headers.get("content-length") or 0)
            if length > MAX_BODY:
                self._send(413, {"error": "body too large"})
                return
            try:
                body = json.loads(self.rfile.read(length) or b"null")
            except ValueError as error:
                self._send(400, {"error": f"expected a JSON body: {error}"})
                return
            request = parse_verification_request(body)
            if isinstance(request, str):
                self._send(400, {"error": request})
                return
            token = new_token()
            try:
                state.publish(verification_message(request, token))
            except Exception as error:  # noqa: BLE001 - the broker is away: tell the caller
                self._send(503, {"error": f"could not queue the message: {error!r}"})
                return
            self._send(202, {"queued": True, "queue": config.verification_queue, "token": token})

    return Handler
