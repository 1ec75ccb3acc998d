import json
import socket
import threading
import unittest
from http.server import ThreadingHTTPServer

from app import State, make_handler
from config import parse_config
from connections import Connections

REQUEST = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"


def post(body: dict) -> bytes:
    data = json.dumps(body).encode()
    return b"POST /verifications HTTP/1.1\r\nHost: t\r\ncontent-length: %d\r\n\r\n%s" % (len(data), data)


def response(sock: socket.socket) -> bytes:
    """One response, read until its body is complete (content-length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    head, body = data.split(b"\r\n\r\n", 1)
    length = int([line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")][0])
    while len(body) < length:
        body += sock.recv(4096)
    return head


class HandoverTest(unittest.TestCase):
    """At a handover (Connections.close) an idle kept-alive connection closes at once; a busy one gets its
    answer, with Connection: close, and only then closes."""

    def setUp(self):
        self.publishing = threading.Event()
        self.release = threading.Event()

        def publish(_message):
            self.publishing.set()
            self.release.wait(10)

        config = parse_config({"SERVICE_NAME": "orders", "PORT": "8080", "ROUTE_PATH": "/orders"}, "test")
        self.connections = Connections()
        state = State(publish, lambda: True)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(config, state, None, self.connections))
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.address = self.server.server_address

    def tearDown(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def connect(self) -> socket.socket:
        sock = socket.create_connection(self.address, timeout=5)
        self.addCleanup(sock.close)
        return sock

    def test_an_idle_kept_alive_connection_closes_at_once(self):
        sock = self.connect()
        sock.sendall(REQUEST)
        self.assertIn(b"200 OK", response(sock))
        self.assertTrue(self.connections.close(timeout=5))
        self.assertEqual(sock.recv(1), b"")  # the server's end: no more requests on it

    def test_a_busy_connection_gets_its_answer_then_closes(self):
        sock = self.connect()
        sock.sendall(post({"email": "ana@example.com", "name": "Ana"}))
        self.assertTrue(self.publishing.wait(5))
        closed = []
        closing = threading.Thread(target=lambda: closed.append(self.connections.close(timeout=5)))
        closing.start()
        closing.join(0.3)
        self.assertEqual(closed, [])  # still waiting for the request under way
        self.release.set()
        head = response(sock)
        self.assertIn(b"202", head)
        self.assertIn(b"connection: close", head.lower())
        self.assertEqual(sock.recv(1), b"")
        closing.join(5)
        self.assertEqual(closed, [True])


if __name__ == "__main__":
    unittest.main()
