"""The verification flow over RabbitMQ with pika: publish to a durable queue on the default
exchange (persistent, publisher confirms) and consume it in the same service with prefetch 1 and
manual acks, as the original platform's mail service did.

pika's BlockingConnection is not thread-safe, so the consumer has its own connection in its own
thread, and publishes share one connection behind a lock. Both reconnect when the broker goes away
(including while it is still starting)."""

from __future__ import annotations

import json
import threading
from typing import Callable, Optional

import pika
import pika.exceptions

from tracing import NoTracer
from verification import parse_verification_message


class Messaging:
    def __init__(self, url: str, queue: str, on_message: Callable[[dict], None], log: Callable[[str], None],
                 tracer=None):
        self._tracer = tracer or NoTracer()
        self._params = pika.URLParameters(url)
        self._queue = queue
        self._on_message = on_message
        self._log = log
        self._stopping = threading.Event()
        self._consuming = threading.Event()
        self._lock = threading.Lock()
        self._publisher: Optional[pika.BlockingConnection] = None
        self._publish_channel = None
        self._consumer: Optional[pika.BlockingConnection] = None

    def start(self) -> None:
        threading.Thread(target=self._consume_forever, name="consumer", daemon=True).start()

    def connected(self) -> bool:
        return self._consuming.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._consuming.wait(timeout)

    def publish(self, message: dict) -> None:
        # A producer span; its context travels in the message's headers to the consumer's span.
        headers: dict = {}
        with self._tracer.producer_span(self._queue, headers):
            self._publish(json.dumps(message).encode(), headers)

    def _publish(self, body: bytes, headers: dict) -> None:
        props = pika.BasicProperties(delivery_mode=2, content_type="text/plain", headers=headers)  # 2 = persistent
        with self._lock:
            for attempt in (1, 2):  # an idle publisher connection may have been dropped: reconnect once
                try:
                    if self._publisher is None or self._publisher.is_closed:
                        self._publisher = pika.BlockingConnection(self._params)
                        self._publish_channel = self._publisher.channel()
                        self._publish_channel.confirm_delivery()
                        self._publish_channel.queue_declare(queue=self._queue, durable=True)
                    self._publish_channel.basic_publish(exchange="", routing_key=self._queue, body=body, properties=props)
                    return
                except pika.exceptions.AMQPError:
                    self._publisher = None
                    if attempt == 2:
                        raise

    def _consume_forever(self) -> None:
        delay = 0.2
        while not self._stopping.is_set():
            try:
                connection = pika.BlockingConnection(self._params)
                channel = connection.channel()
                channel.queue_declare(queue=self._queue, durable=True)
                channel.basic_qos(prefetch_count=1)
                channel.basic_consume(queue=self._queue, on_message_callback=self._handle, auto_ack=False)
                self._consumer = connection
                self._consuming.set()
                self._log(f"connected to RabbitMQ; consuming {self._queue}")
                delay = 0.2
                channel.start_consuming()
            except Exception as error:  # noqa: BLE001 - any failure means: reconnect
                if self._stopping.is_set():
                    break
                self._log(f"RabbitMQ not reachable ({error!r}); retrying in {delay:.1f} s")
            finally:
                self._consuming.clear()
            self._stopping.wait(delay)
            delay = min(delay * 2, 5.0)

    def _handle(self, channel, method, properties, body: bytes) -> None:
        headers = {k: v.decode() if isinstance(v, bytes) else v for k, v in (properties.headers or {}).items()}
        with self._tracer.consumer_span(self._queue, headers):
            message = parse_verification_message(body.decode("utf-8", "replace"))
            if message is None:
                self._log(f"dropping a malformed message on {self._queue}")
                channel.basic_nack(delivery_tag=method.delivery_tag, requeue=False)
                return
            self._on_message(message)
            channel.basic_ack(delivery_tag=method.delivery_tag)

    def stop(self) -> None:
        self._stopping.set()
        consumer = self._consumer
        if consumer is not None and consumer.is_open:
            try:
                consumer.add_callback_threadsafe(consumer.close)
            except Exception:  # noqa: BLE001 - shutting down anyway
                pass
