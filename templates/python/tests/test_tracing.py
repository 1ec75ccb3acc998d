import json
import threading
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tracing import NoTracer, StdlibTracer, create_tracer, parse_traceparent

INCOMING = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


class Collector(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["content-length"]))
        Collector.received.append((self.path, self.headers["content-type"], json.loads(body)))
        self.send_response(200)
        self.send_header("content-length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


class TraceparentTest(unittest.TestCase):
    def test_parses_w3c_and_refuses_the_invalid(self):
        self.assertEqual(parse_traceparent(INCOMING), ("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", True))
        self.assertEqual(parse_traceparent(INCOMING[:-2] + "00")[2], False)
        for bad in (None, "", "01-" + INCOMING[3:], "00-" + "0" * 32 + "-b7ad6b7169203331-01", "00-xyz-abc-01"):
            self.assertIsNone(parse_traceparent(bad), bad)


class StdlibTracerTest(unittest.TestCase):
    def setUp(self):
        Collector.received = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_one_trace_from_request_to_consumer_sent_as_otlp_json(self):
        logs = []
        tracer = StdlibTracer(self.endpoint, "billing", logs.append, delay=0.05)
        headers = {}
        with tracer.server_span("POST", "/verifications", {"traceparent": INCOMING}) as server:
            self.assertEqual(tracer.trace_id(), "0af7651916cd43dd8448eb211c80319c")
            with tracer.producer_span("billing-verifications", headers) as producer:
                pass
            tracer.http_status(server, 202)
        self.assertIsNone(tracer.trace_id())
        with tracer.consumer_span("billing-verifications", headers) as consumer:
            pass
        tracer.flush(5)
        spans = [s for _, _, body in Collector.received for rs in body["resourceSpans"]
                 for ss in rs["scopeSpans"] for s in ss["spans"]]
        by_kind = {s["kind"]: s for s in spans}
        self.assertEqual(sorted(by_kind), [2, 4, 5])
        self.assertEqual({s["traceId"] for s in spans}, {"0af7651916cd43dd8448eb211c80319c"})
        self.assertEqual(by_kind[2]["parentSpanId"], "b7ad6b7169203331")
        self.assertEqual(by_kind[4]["parentSpanId"], server.span_id)
        self.assertEqual(by_kind[5]["parentSpanId"], producer.span_id)
        self.assertEqual(headers["traceparent"], f"00-0af7651916cd43dd8448eb211c80319c-{producer.span_id}-01")
        self.assertEqual(consumer.parent_id, producer.span_id)
        self.assertIn({"key": "http.response.status_code", "value": {"intValue": "202"}}, by_kind[2]["attributes"])
        path, content_type, body = Collector.received[0]
        self.assertEqual((path, content_type), ("/v1/traces", "application/json"))
        self.assertEqual(body["resourceSpans"][0]["resource"]["attributes"],
                         [{"key": "service.name", "value": {"stringValue": "billing"}}])
        self.assertEqual(logs, [])

    def test_an_unsampled_caller_is_followed(self):
        tracer = StdlibTracer(self.endpoint, "billing", lambda _: None, delay=0.05)
        with tracer.server_span("GET", "/", {"traceparent": INCOMING[:-2] + "00"}):
            pass
        with tracer.server_span("GET", "/", {}):
            pass
        tracer.flush(5)
        spans = [s for _, _, body in Collector.received for s in body["resourceSpans"][0]["scopeSpans"][0]["spans"]]
        self.assertEqual(len(spans), 1)
        self.assertNotIn("parentSpanId", spans[0])

    def test_an_unreachable_endpoint_is_said_not_raised(self):
        logs = []
        tracer = StdlibTracer("http://127.0.0.1:9", "billing", logs.append, delay=0.05)
        with tracer.server_span("GET", "/", {}):
            pass
        tracer.flush(5)
        self.assertEqual(len(logs), 1)
        self.assertIn("could not send 1 spans", logs[0])


class CreateTracerTest(unittest.TestCase):
    def test_says_which_tracer_runs(self):
        logs = []
        self.assertIsInstance(create_tracer({}, logs.append), NoTracer)
        self.assertEqual(logs, ["tracing off: OTEL_EXPORTER_OTLP_ENDPOINT is not set"])
        logs.clear()
        tracer = create_tracer({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9"}, logs.append)
        self.assertEqual(len(logs), 1)
        try:
            import opentelemetry.sdk  # noqa: F401
        except ImportError:
            self.assertIsInstance(tracer, StdlibTracer)
            self.assertIn("the OpenTelemetry SDK is not installed", logs[0])
        else:
            self.assertIn("with the OpenTelemetry SDK", logs[0])


if __name__ == "__main__":
    unittest.main()
