import json
import threading
import unittest
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer

from app import State, make_handler
from config import parse_config


class AppTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.published = []
        cls.is_connected = False
        config = parse_config({"SERVICE_NAME": "orders", "PORT": "8080", "ROUTE_PATH": "/orders"}, "test")
        cls.state = State(cls.published.append, lambda: cls.is_connected)
        cls.server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(config, cls.state))
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}"
        threading.Thread(target=cls.server.serve_forever, daemon=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.shutdown()
        cls.server.server_close()

    def call(self, path, body=None):
        data = None if body is None else body.encode()
        request = urllib.request.Request(self.base + path, data=data, method="GET" if body is None else "POST")
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def test_1_health_and_readiness_are_503_while_starting_then_200(self):
        self.assertEqual(self.call("/healthz")[0], 503)
        self.assertEqual(self.call("/readyz")[0], 503)
        type(self).is_connected = True
        self.assertEqual(self.call("/healthz"), (200, {"status": "ok", "instance": "orders-test"}))
        self.assertEqual(self.call("/readyz"), (503, {"status": "starting", "instance": "orders-test"}))
        self.state.registered = True
        self.assertEqual(self.call("/readyz"), (200, {"status": "ok", "instance": "orders-test"}))

    def test_2_sample_endpoint_on_root_and_route_path(self):
        for path in ("/", "/orders"):
            status, body = self.call(path)
            self.assertEqual(status, 200)
            self.assertEqual(body["service"], "orders")

    def test_3_verification_flow(self):
        status, body = self.call("/orders/verifications", json.dumps({"email": "ana@example.com", "name": "Ana"}))
        self.assertEqual(status, 202)
        message = {"email": "ana@example.com", "template": "userVerification", "data": {"name": "Ana", "token": body["token"]}}
        self.assertEqual(self.published, [message])
        self.state.record(message)
        for path in ("/verifications", "/orders/verifications"):
            status, listed = self.call(path)
            self.assertEqual(status, 200)
            self.assertEqual(listed["processed"][0]["data"]["token"], body["token"])

    def test_4_bad_bodies_and_unknown_routes(self):
        self.assertEqual(self.call("/verifications", "nope")[0], 400)
        self.assertEqual(self.call("/verifications", '{"email": "a@b.c"}')[0], 400)
        self.assertEqual(self.call("/nothing")[0], 404)


if __name__ == "__main__":
    unittest.main()
