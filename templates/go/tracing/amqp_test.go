package tracing

import (
	"context"
	"log/slog"
	"testing"
)

func TestPublishAndProcessSpansCarryTheTraceInTheHeaders(t *testing.T) {
	c := newCollector(t)
	tracer := newTestTracer(t, c.URL+"/v1/traces", slog.New(slog.DiscardHandler))
	connection := AMQPConnectionAttributes("amqp://mkdev:s3cret@rabbitmq:5672/")
	remote, _ := ParseTraceparent(incoming)
	ctx, server := tracer.Start(ContextWithRemoteParent(context.Background(), remote), "POST", KindServer)
	headers := map[string]any{}
	_, publish := tracer.StartPublish(ctx, connection, "", "billing-verifications", headers)
	publish.End()
	server.End()
	if headers["traceparent"] != publish.Context().Traceparent() {
		t.Fatalf("headers: %v", headers)
	}

	// The consumer runs in its own context (the delivery loop's), whatever span that has.
	_, unrelated := tracer.Start(context.Background(), "elsewhere", KindInternal)
	loop := ContextWithSpan(context.Background(), unrelated)
	// amqp091-go hands string headers back as strings; other clients may send bytes.
	delivered := map[string]any{"traceparent": []byte(headers["traceparent"].(string))}
	processCtx, process := tracer.StartProcess(loop, connection, "billing-verifications", "", "billing-verifications", delivered)
	if TraceIDFrom(processCtx) != remote.TraceID.String() {
		t.Fatal("the consumer's context is not in the publisher's trace")
	}
	Nacked(process, false)
	process.End()
	unrelated.End()
	_, fresh := tracer.StartProcess(context.Background(), connection, "billing-verifications", "", "billing-verifications", map[string]any{})
	fresh.End()
	shutdown(t, tracer)

	spans := c.spans()
	if len(spans) != 5 {
		t.Fatalf("%d spans, want 5", len(spans))
	}
	p, s, consume, newTrace := spans[0], spans[1], spans[2], spans[4]
	if p.Name != "publish <default>" || p.Kind != 4 || p.ParentSpanID != s.SpanID || p.TraceID != s.TraceID {
		t.Fatalf("publish span: %+v", p)
	}
	if consume.Name != "billing-verifications process" || consume.Kind != 5 || consume.ParentSpanID != p.SpanID || consume.TraceID != p.TraceID {
		t.Fatalf("process span: %+v", consume)
	}
	if consume.Status.Code != 2 || consume.Status.Message != "nack called on message without requeue" {
		t.Fatalf("a nacked message: %+v", consume.Status)
	}
	if newTrace.ParentSpanID != "" || newTrace.TraceID == p.TraceID {
		t.Fatalf("a delivery without a traceparent starts its own trace: %+v", newTrace)
	}
	// The attributes the Node amqplib instrumentation sets (the password never leaves).
	want := map[string]any{
		"messaging.system":               "rabbitmq",
		"messaging.protocol":             "AMQP",
		"messaging.protocol_version":     "0.9.1",
		"messaging.url":                  "amqp://mkdev:***@rabbitmq:5672/",
		"server.address":                 "rabbitmq",
		"server.port":                    "int:5672",
		"messaging.destination":          "",
		"messaging.destination_kind":     "topic",
		"messaging.rabbitmq.routing_key": "billing-verifications",
	}
	for _, span := range []SpanJSON{p, consume} {
		got := attrMap(span.Attributes)
		for key, value := range want {
			if got[key] != value {
				t.Errorf("%s: %s = %v, want %v", span.Name, key, got[key], value)
			}
		}
	}
	if attrMap(consume.Attributes)["messaging.operation"] != "process" {
		t.Error("the consumer span's messaging.operation")
	}
	if _, has := attrMap(p.Attributes)["messaging.operation"]; has {
		t.Error("the producer span has no messaging.operation (as in Node)")
	}
	if attrs := attrMap(keyValues(AMQPConnectionAttributes("amqps://h"))); attrs["server.port"] != "int:5671" || attrs["messaging.protocol"] != "AMQPS" {
		t.Errorf("amqps defaults: %v", attrs)
	}
}
