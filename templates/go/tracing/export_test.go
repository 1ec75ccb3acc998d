package tracing

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The OTLP/JSON an exporter sends, checked field by field against the ExportTraceServiceRequest's JSON
// mapping (what mkdev's receiver, Jaeger and the Collector read).
func TestTheExportIsOTLPJSON(t *testing.T) {
	c := newCollector(t)
	tracer := newTestTracer(t, c.URL+"/v1/traces", slog.New(slog.DiscardHandler))
	remote, _ := ParseTraceparent(incoming)
	remote.TraceState = "kong=1"
	ctx, server := tracer.Start(ContextWithRemoteParent(context.Background(), remote), "POST", KindServer,
		String("url.path", "/verifications"), Int("http.response.status_code", 503), Bool("flag", false), Float("ratio", 0.5))
	_, child := tracer.Start(ctx, "publish <default>", KindProducer)
	child.RecordError(errors.New("no confirm"))
	child.End()
	server.End()
	shutdown(t, tracer)

	if len(c.raw) != 1 {
		t.Fatalf("%d requests, want 1 batch", len(c.raw))
	}
	if c.paths[0] != "POST /v1/traces" || c.types[0] != "application/json" {
		t.Fatalf("sent %s as %s", c.paths[0], c.types[0])
	}
	body := c.raw[0]
	resource := body["resourceSpans"].([]any)[0].(map[string]any)
	attrs := resource["resource"].(map[string]any)["attributes"].([]any)
	if !reflect.DeepEqual(attrs[0], map[string]any{"key": "service.name", "value": map[string]any{"stringValue": "billing"}}) {
		t.Fatalf("service.name: %v", attrs[0])
	}
	scope := resource["scopeSpans"].([]any)[0].(map[string]any)
	if scope["scope"].(map[string]any)["name"] != ScopeName {
		t.Fatalf("scope: %v", scope["scope"])
	}
	spans := scope["spans"].([]any)
	if len(spans) != 2 {
		t.Fatalf("%d spans", len(spans))
	}
	publish, post := spans[0].(map[string]any), spans[1].(map[string]any)
	hex := func(n int) *regexp.Regexp { return regexp.MustCompile(fmt.Sprintf("^[0-9a-f]{%d}$", n)) }
	for _, span := range []map[string]any{publish, post} {
		if !hex(32).MatchString(span["traceId"].(string)) || !hex(16).MatchString(span["spanId"].(string)) {
			t.Fatalf("ids not in hex: %v", span)
		}
		for _, key := range []string{"startTimeUnixNano", "endTimeUnixNano"} {
			if !regexp.MustCompile(`^\d{19}$`).MatchString(span[key].(string)) {
				t.Fatalf("%s is not a decimal string of nanoseconds: %v", key, span[key])
			}
		}
	}
	if post["traceId"] != "0af7651916cd43dd8448eb211c80319c" || post["parentSpanId"] != "b7ad6b7169203331" ||
		post["traceState"] != "kong=1" || post["name"] != "POST" || post["kind"] != float64(2) {
		t.Fatalf("server span: %v", post)
	}
	if publish["parentSpanId"] != post["spanId"] || publish["kind"] != float64(4) {
		t.Fatalf("producer span: %v", publish)
	}
	wantAttrs := []any{
		map[string]any{"key": "url.path", "value": map[string]any{"stringValue": "/verifications"}},
		map[string]any{"key": "http.response.status_code", "value": map[string]any{"intValue": "503"}},
		map[string]any{"key": "flag", "value": map[string]any{"boolValue": false}},
		map[string]any{"key": "ratio", "value": map[string]any{"doubleValue": 0.5}},
	}
	if !reflect.DeepEqual(post["attributes"], wantAttrs) {
		t.Fatalf("attributes: %v", post["attributes"])
	}
	if !reflect.DeepEqual(post["status"], map[string]any{}) {
		t.Fatalf("an unset status: %v", post["status"])
	}
	if !reflect.DeepEqual(publish["status"], map[string]any{"code": float64(2), "message": "no confirm"}) {
		t.Fatalf("an error status: %v", publish["status"])
	}
	events := publish["events"].([]any)
	event := events[0].(map[string]any)
	if event["name"] != "exception" || !regexp.MustCompile(`^\d{19}$`).MatchString(event["timeUnixNano"].(string)) ||
		!reflect.DeepEqual(event["attributes"], []any{map[string]any{"key": "exception.message", "value": map[string]any{"stringValue": "no confirm"}}}) {
		t.Fatalf("the exception event: %v", event)
	}
	if _, has := post["events"]; has {
		t.Fatal("a span without events has an events key")
	}
	// A root span has no parentSpanId at all.
	tracer2 := newTestTracer(t, c.URL+"/v1/traces", slog.New(slog.DiscardHandler))
	_, root := tracer2.Start(context.Background(), "GET", KindServer)
	root.End()
	shutdown(t, tracer2)
	if _, has := c.raw[1]["resourceSpans"].([]any)[0].(map[string]any)["scopeSpans"].([]any)[0].(map[string]any)["spans"].([]any)[0].(map[string]any)["parentSpanId"]; has {
		t.Fatal("a root span has a parentSpanId")
	}
}

func TestSpansAreBatched(t *testing.T) {
	c := newCollector(t)
	// A long delay: nothing is sent before the flush, which sends 25 spans as batches of 10.
	tracer := newTestTracer(t, c.URL+"/v1/traces", slog.New(slog.DiscardHandler), func(o *Options) {
		o.Delay, o.BatchSize = time.Hour, 10
	})
	for range 25 {
		_, span := tracer.Start(context.Background(), "GET", KindServer)
		span.End()
	}
	if c.count() != 0 {
		t.Fatal("spans were sent before the batch was due")
	}
	if err := tracer.Exporter().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(c.spans()); got != 25 || c.count() != 3 {
		t.Fatalf("%d spans in %d requests, want 25 in 3", got, c.count())
	}
	if sent, dropped := tracer.Exporter().Stats(); sent != 25 || dropped != 0 {
		t.Fatalf("stats: sent %d, dropped %d", sent, dropped)
	}
}

func TestTheBatchGoesOutOnItsOwnAfterTheDelay(t *testing.T) {
	c := newCollector(t)
	tracer := newTestTracer(t, c.URL+"/v1/traces", slog.New(slog.DiscardHandler))
	_, span := tracer.Start(context.Background(), "GET", KindServer)
	span.End()
	deadline := time.Now().Add(5 * time.Second)
	for len(c.spans()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if len(c.spans()) != 1 {
		t.Fatal("the span was not sent without a flush")
	}
}

func TestAFullQueueDropsSpansWithoutBlocking(t *testing.T) {
	var logs logBuffer
	// The receiver holds every request until released: the exporter cannot drain its queue.
	release := make(chan struct{})
	slow := newCollector(t)
	slow.gate = release
	tracer := newTestTracer(t, slow.URL+"/v1/traces", logs.logger(), func(o *Options) {
		o.Delay, o.BatchSize, o.MaxQueue = time.Millisecond, 1, 3
	})
	started := time.Now()
	for range 50 {
		_, span := tracer.Start(context.Background(), "GET", KindServer)
		span.End()
	}
	if elapsed := time.Since(started); elapsed > time.Second {
		t.Fatalf("ending spans blocked for %s", elapsed)
	}
	_, dropped := tracer.Exporter().Stats()
	// One span in flight, three queued: the other 46 at least are dropped.
	if dropped < 46 {
		t.Fatalf("dropped %d spans, want at least 46", dropped)
	}
	close(release)
	if !strings.Contains(logs.String(), `"msg":"tracing: dropped spans"`) || !strings.Contains(logs.String(), `"reason":"the queue is full"`) {
		t.Fatalf("the drop was not said: %s", logs.String())
	}
	if n := strings.Count(logs.String(), "dropped spans"); n != 1 {
		t.Fatalf("said %d times, want once (at most once a minute)", n)
	}
}

func TestAReceiverThatIsDownLosesTheBatchAndSaysSo(t *testing.T) {
	var logs logBuffer
	// Port 9 (discard) on loopback: nothing listens, the connection is refused.
	tracer := newTestTracer(t, "http://127.0.0.1:9/v1/traces", logs.logger())
	ctx, span := tracer.Start(context.Background(), "GET", KindServer)
	_, child := tracer.Start(ctx, "publish <default>", KindProducer)
	child.End()
	span.End()
	shutdown(t, tracer)
	if _, dropped := tracer.Exporter().Stats(); dropped != 2 {
		t.Fatalf("dropped %d, want 2", dropped)
	}
	if !strings.Contains(logs.String(), `"count":2`) || !strings.Contains(logs.String(), "connection refused") {
		t.Fatalf("the loss was not said: %s", logs.String())
	}
}

func TestAReceiverThatRefusesTheBatchLosesItAndSaysSo(t *testing.T) {
	var logs logBuffer
	c := newCollector(t)
	c.status = http.StatusBadRequest
	tracer := newTestTracer(t, c.URL+"/v1/traces", logs.logger())
	_, span := tracer.Start(context.Background(), "GET", KindServer)
	span.End()
	shutdown(t, tracer)
	if sent, dropped := tracer.Exporter().Stats(); sent != 0 || dropped != 1 {
		t.Fatalf("sent %d, dropped %d", sent, dropped)
	}
	if !strings.Contains(logs.String(), "the receiver answered 400") {
		t.Fatalf("the refusal was not said: %s", logs.String())
	}
}

func TestShutdownSendsWhatIsQueuedAndEndsTheExporter(t *testing.T) {
	c := newCollector(t)
	tracer := newTestTracer(t, c.URL+"/v1/traces", slog.New(slog.DiscardHandler), func(o *Options) { o.Delay = time.Hour })
	_, span := tracer.Start(context.Background(), "GET", KindServer)
	span.End()
	shutdown(t, tracer)
	if len(c.spans()) != 1 {
		t.Fatal("the queued span was lost at shutdown")
	}
	select {
	case <-tracer.exporter.done:
	default:
		t.Fatal("the exporter's goroutine is still running")
	}
	// A span ended after shutdown is not sent, and nothing blocks.
	_, late := tracer.Start(context.Background(), "GET", KindServer)
	late.End()
	if err := tracer.Exporter().Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
}
