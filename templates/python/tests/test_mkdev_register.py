"""Request shapes of mkdev_register against a small in-process fake server."""

import json
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import mkdev_register
from mkdev_register import RegistrationError


class FakeServer:
    def __init__(self):
        self.seen = []
        self.reply = lambda method, path: (200, {"id": f"{path.split('/')[1]}-id"})
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                fake.seen.append((self.command, self.path, json.loads(raw) if raw else None))
                status, body = fake.reply(self.command, self.path)
                data = b"" if body is None else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
                self.send_response(status)
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_DELETE = _handle  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class RegisterTest(unittest.TestCase):
    def setUp(self):
        self.fake = FakeServer()

    def tearDown(self):
        self.fake.close()

    def test_kong_upserts_service_then_route_by_name(self):
        result = mkdev_register.register_on_kong(self.fake.url + "/", "orders", 8080, ["/orders"])
        self.assertEqual(result, {"service_id": "services-id", "route_id": "routes-id"})
        self.assertEqual(self.fake.seen, [
            ("PUT", "/services/orders", {"name": "orders", "protocol": "http", "host": "orders.service.consul", "port": 8080}),
            ("PUT", "/routes/orders", {"name": "orders", "service": {"id": "services-id"}, "protocols": ["http", "https"],
                                       "paths": ["/orders"], "strip_path": True}),
        ])

    def test_kong_errors_carry_status_and_body(self):
        self.fake.reply = lambda m, p: (400, {"code": 2, "name": "schema violation",
                                              "message": "schema violation (port: value should be between 0 and 65535)"})
        with self.assertRaises(RegistrationError) as caught:
            mkdev_register.register_on_kong(self.fake.url, "x", 70000, ["/x"])
        self.assertEqual(caught.exception.status, 400)
        self.assertIn("/services/x answered 400: schema violation (port:", str(caught.exception))

    def test_kong_unregister_deletes_route_then_service(self):
        self.fake.reply = lambda m, p: (204, None) if p.startswith("/routes") else (404, {"message": "Not found"})
        mkdev_register.unregister_from_kong(self.fake.url, "orders")
        self.assertEqual([(m, p) for m, p, _ in self.fake.seen], [("DELETE", "/routes/orders"), ("DELETE", "/services/orders")])

    def test_consul_register_and_deregister(self):
        self.fake.reply = lambda m, p: (200, None) if p.endswith("/register") else (404, 'Unknown service "orders-abc"')
        mkdev_register.register_on_consul(
            self.fake.url, id="orders-abc", name="orders", address="172.18.0.5", port=8080, tags=["mkdev"],
            check={"http": "http://172.18.0.5:8080/healthz", "interval": "2s", "timeout": "1s",
                   "deregister_critical_service_after": "1m"},
        )
        mkdev_register.deregister_from_consul(self.fake.url, "orders-abc")
        self.assertEqual(self.fake.seen, [
            ("PUT", "/v1/agent/service/register", {
                "ID": "orders-abc", "Name": "orders", "Address": "172.18.0.5", "Port": 8080, "Tags": ["mkdev"],
                "Check": {"HTTP": "http://172.18.0.5:8080/healthz", "Interval": "2s", "Timeout": "1s",
                          "DeregisterCriticalServiceAfter": "1m"}}),
            ("PUT", "/v1/agent/service/deregister/orders-abc", None),
        ])

    def test_unreachable_is_a_registration_error_without_status(self):
        url = self.fake.url
        self.fake.close()
        with self.assertRaises(RegistrationError) as caught:
            mkdev_register.deregister_from_consul(url, "x", timeout=2)
        self.assertIsNone(caught.exception.status)
        self.fake = FakeServer()


class WithRetryTest(unittest.TestCase):
    def test_retries_until_success(self):
        waits = []

        def fn(attempt):
            if attempt < 3:
                raise OSError("down")
            return attempt

        self.assertEqual(mkdev_register.with_retry(fn, attempts=5, initial_delay=0.01,
                                                   on_retry=lambda e, n, d: waits.append(d)), 3)
        self.assertEqual(len(waits), 2)
        self.assertGreater(waits[1], waits[0])

    def test_gives_up_after_the_timeout(self):
        started = time.monotonic()
        with self.assertRaises(OSError):
            mkdev_register.with_retry(lambda _: (_ for _ in ()).throw(OSError("down")), timeout=0.15, initial_delay=0.02)
        self.assertLess(time.monotonic() - started, 1.0)

    def test_stops_when_retry_if_says_so(self):
        calls = []

        def fn(attempt):
            calls.append(attempt)
            raise RegistrationError("bad", 400)

        with self.assertRaises(RegistrationError):
            mkdev_register.with_retry(fn, attempts=5, initial_delay=0.01, retry_if=lambda e: e.status != 400)
        self.assertEqual(calls, [1])

    def test_a_stop_event_cuts_the_wait_short(self):
        stop = threading.Event()
        threading.Timer(0.05, stop.set).start()
        started = time.monotonic()
        with self.assertRaises(OSError):
            mkdev_register.with_retry(lambda _: (_ for _ in ()).throw(OSError("down")), attempts=5, initial_delay=10, stop=stop)
        self.assertLess(time.monotonic() - started, 2.0)


if __name__ == "__main__":
    unittest.main()
