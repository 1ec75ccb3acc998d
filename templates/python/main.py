"""Starts the service: HTTP first (so Consul's check can reach /healthz), then RabbitMQ, and only once
connected to it the registrations on Consul and Kong (so its check may start as passing); under the
supervisor HTTP comes last instead (see accept_once_ready). SIGTERM deregisters from Consul and exits 0 within ~2 s.

Under the image's supervisor (supervisor.py), which replaces this process in place at each `mkdev watch`
sync: it serves on the supervisor's socket (MKDEV_LISTEN_FD), says it is ready on MKDEV_READY_FD once
it can serve (RabbitMQ connected), and at SIGUSR2 leaves without deregistering (its successor holds the same registration)."""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from http.server import ThreadingHTTPServer

import mkdev_register
from app import State, make_handler
from connections import Connections
from config import parse_config
from messaging import Messaging
from network import own_address
from tracing import NoTracer, create_tracer


def main() -> int:
    config = parse_config(os.environ, socket.gethostname())

    tracer = NoTracer()

    def log(message: str) -> None:
        # Lines written in a span carry its trace, so a trace's logs can be found (and the other way round).
        trace_id = tracer.trace_id()
        # One write per line: print() writes the newline apart when unbuffered (PYTHONUNBUFFERED), and the
        # other threads', the supervisor's and the other child's lines share this output.
        sys.stdout.write(f"[{config.service_name}] {message}{f' trace_id={trace_id}' if trace_id else ''}\n")
        sys.stdout.flush()

    tracer = create_tracer(os.environ, log)

    address = os.environ.get("SERVICE_ADDRESS") or own_address(config.consul_url)
    stopping = threading.Event()
    handing_over = threading.Event()
    # Installed before anything slow: as PID 1 in a container, Python would otherwise die hard on SIGTERM.
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGUSR2, lambda *_: (handing_over.set(), stopping.set()))

    messaging = Messaging(config.rabbitmq_url, config.verification_queue, lambda m: on_message(m), log, tracer)

    def publish(message: dict) -> None:
        log(f"queueing verification for {message['email']}")
        messaging.publish(message)

    state = State(publish, messaging.connected)

    def on_message(message: dict) -> None:
        state.record(message)
        log(f"processed verification for {message['email']}")

    connections = Connections()
    server = http_server(config, make_handler(config, state, tracer, connections))
    server.daemon_threads = True
    serving = threading.Event()

    def accept() -> None:
        # A short poll interval: server.shutdown() at SIGTERM waits for it (0.5 s by default, on every restart).
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="http", daemon=True).start()
        serving.set()
        log(f"listening on {address}:{config.port} (route {config.route_path})")

    # Under the supervisor the listening socket is one, shared with the process this one replaces, which
    # still serves. A connection this process accepted before RabbitMQ is connected would get a 503 from
    # /healthz: Consul's check (a new connection each time) would mark the instance critical, its DNS would
    # answer nothing and Kong would cache "name resolution failed". So a supervised process accepts only
    # once it can serve, just before it says it is ready; until then every connection goes to its predecessor.
    accept_once_ready = bool(os.environ.get("MKDEV_LISTEN_FD"))
    if not accept_once_ready:
        accept()
    messaging.start()

    def ready() -> None:
        if accept_once_ready:
            accept()
        say_ready()

    failed = threading.Event()
    if config.register:
        threading.Thread(target=register, args=(config, address, state, messaging, stopping, failed, log, ready), daemon=True).start()
    else:
        state.registered = True
        ready()

    # No timeout: a signal handler runs while the main thread waits, so SIGTERM ends the wait at once
    # (a polling wait would add up to its period to every restart, e.g. each `mkdev watch` sync).
    stopping.wait()
    if failed.is_set():
        return 1
    if handing_over.is_set():
        log("SIGUSR2: stopping, registration kept for the next process")
        # Stop accepting first: the next process, already serving, takes every new connection. Then the
        # kept-alive ones: idle ones close, busy ones finish, while RabbitMQ is still there (connections.py).
        if serving.is_set():
            server.shutdown()
        if not connections.close(timeout=3.0):
            log("a request was still under way after 3 s: leaving anyway")
    else:
        log("stopping: deregistering from Consul")
    if config.register and not handing_over.is_set():
        try:
            mkdev_register.deregister_from_consul(config.consul_url, config.instance_id, timeout=2)
        except mkdev_register.RegistrationError as error:
            log(f"Consul deregistration failed: {error}")
    messaging.stop()
    # shutdown() waits for serve_forever() to end: it would wait forever for one that never started.
    if serving.is_set():
        server.shutdown()
    tracer.flush(2.0)
    return 0


def http_server(config, handler) -> ThreadingHTTPServer:
    """On the supervisor's listening socket when it passed one (shared with the process this one replaces),
    else its own. BIND_ADDRESS: `mkdev run` listens on the project network's gateway only; a container on
    all interfaces."""
    fd = os.environ.get("MKDEV_LISTEN_FD")
    if not fd:
        return ThreadingHTTPServer((os.environ.get("BIND_ADDRESS") or "0.0.0.0", config.port), handler)
    server = ThreadingHTTPServer(("", config.port), handler, bind_and_activate=False)
    server.socket.close()
    server.socket = socket.socket(fileno=int(fd))
    server.server_address = server.socket.getsockname()[:2]
    server.server_name, server.server_port = socket.gethostname(), server.server_address[1]
    return server


def say_ready() -> None:
    """Tells the supervisor, if any, that this process serves: the one it replaces may leave."""
    fd = os.environ.get("MKDEV_READY_FD")
    if fd:
        os.write(int(fd), b"ready\n")
        os.close(int(fd))


def register(config, address, state, messaging, stopping, failed, log, ready) -> None:
    """Once RabbitMQ is connected: Consul first (this instance, with a health check), then Kong (one
    Service + Route per service name, shared by every replica). Retries while they come up; a 400 will
    not fix itself."""
    while not messaging.wait_connected(0.2):
        if stopping.is_set():
            return
    # It can serve: under the supervisor the process it replaces may leave now. The registration below
    # only repeats the one they share (same ID, address and port), so it need not wait for it.
    ready()

    def retry(what):
        return {
            "timeout": 120.0,
            "initial_delay": 0.2,
            "max_delay": 3.0,
            "stop": stopping,
            "retry_if": lambda e: not (isinstance(e, mkdev_register.RegistrationError) and e.status == 400),
            "on_retry": lambda e, n, d: log(f"{what} not reachable yet (attempt {n}: {e}); retrying in {d:.1f} s"),
        }

    try:
        mkdev_register.with_retry(
            lambda _: mkdev_register.register_on_consul(
                config.consul_url,
                id=config.instance_id,
                name=config.service_name,
                address=address,
                port=config.port,
                tags=["mkdev"],
                # Consul's minimum: a replica killed without deregistering disappears a minute later.
                check={"http": f"http://{address}:{config.port}/healthz", "interval": "2s", "timeout": "1s",
                       "deregister_critical_service_after": "1m",
                       # It registers only once connected to RabbitMQ, so /healthz already answers 200:
                       # visible to Consul DNS (and Kong) at once instead of after the first check.
                       "status": "passing"},
            ),
            **retry("Consul"),
        )
        log(f"registered on Consul as {config.instance_id} ({address}:{config.port})")
        mkdev_register.with_retry(
            lambda _: mkdev_register.register_on_kong(
                config.kong_admin_url,
                config.service_name,
                config.port,
                [config.route_path],
                host=f"{config.service_name}.service.consul",
                strip_path=True,
                tags=["mkdev"],
            ),
            **retry("Kong"),
        )
        log(f"registered on Kong: {config.route_path} -> {config.service_name}.service.consul:{config.port}")
        state.registered = True
    except Exception as error:  # noqa: BLE001 - reported, then the service exits non-zero
        if not stopping.is_set():
            log(f"registration failed: {error}")
            failed.set()
            stopping.set()


if __name__ == "__main__":
    sys.exit(main())
