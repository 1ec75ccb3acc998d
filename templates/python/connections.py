"""The HTTP server's open connections, for a handover (supervisor.py).

The leaving process must not keep serving Kong's kept-alive connections: after it stops RabbitMQ a POST
there would get a 503, and a response still being written when it exits would be cut off (its handler
threads are daemon threads), which Kong answers by dropping its client's connection. So at the handover
the idle ones close at once, a busy one finishes its request (answered with `Connection: close`), and
the process waits for them before it stops RabbitMQ. Kong's next request opens a connection, which only
the new process accepts.
"""

from __future__ import annotations

import os
import select
import socket
import threading


class Connections:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._open = 0
        self.closing = False
        # Readable once closing: wakes every handler waiting for its connection's next request.
        self._wake_r, self._wake_w = os.pipe()

    def opened(self) -> None:
        with self._changed:
            self._open += 1

    def closed(self) -> None:
        with self._changed:
            self._open -= 1
            self._changed.notify_all()

    def next_request(self, connection: socket.socket) -> bool:
        """Waits until the connection has a request to read (True) or, idle, it is to close (False)."""
        readable, _, _ = select.select([connection, self._wake_r], [], [])
        # A request that came as the handover began is still answered (busy, then closed).
        return connection in readable

    def close(self, timeout: float) -> bool:
        """Closes the idle connections, lets the busy ones finish; whether all were gone in time."""
        with self._changed:
            self.closing = True
            os.write(self._wake_w, b"x")
            return self._changed.wait_for(lambda: self._open == 0, timeout)
