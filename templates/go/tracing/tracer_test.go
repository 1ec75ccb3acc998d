package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// collector is an OTLP/HTTP receiver for the tests: it keeps every request's decoded body.
type collector struct {
	*httptest.Server
	mu       sync.Mutex
	requests []ExportRequest
	raw      []map[string]any
	types    []string
	paths    []string
	status   int
	// gate, when set, holds every request until it is closed.
	gate chan struct{}
}

func newCollector(t *testing.T) *collector {
	c := &collector{status: http.StatusOK}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		gate := c.gate
		c.mu.Unlock()
		if gate != nil {
			<-gate
		}
		body, _ := io.ReadAll(r.Body)
		var decoded ExportRequest
		var raw map[string]any
		if err := json.Unmarshal(body, &decoded); err != nil {
			t.Errorf("the body is not JSON: %v", err)
		}
		_ = json.Unmarshal(body, &raw)
		c.mu.Lock()
		c.requests = append(c.requests, decoded)
		c.raw = append(c.raw, raw)
		c.types = append(c.types, r.Header.Get("content-type"))
		c.paths = append(c.paths, r.Method+" "+r.URL.Path)
		status := c.status
		c.mu.Unlock()
		w.WriteHeader(status)
		_, _ = w.Write([]byte("{}"))
	}))
	t.Cleanup(c.Close)
	return c
}

func (c *collector) spans() []SpanJSON {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []SpanJSON
	for _, r := range c.requests {
		for _, rs := range r.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				out = append(out, ss.Spans...)
			}
		}
	}
	return out
}

func (c *collector) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.requests)
}

// logBuffer is a slog.Logger writing JSON lines into a buffer the test reads.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewJSONHandler(l, nil)) }

func newTestTracer(t *testing.T, endpoint string, log *slog.Logger, options ...func(*Options)) *Tracer {
	o := Options{Endpoint: endpoint, ServiceName: "billing", Log: log, Delay: 20 * time.Millisecond}
	for _, change := range options {
		change(&o)
	}
	tracer := New(o)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = tracer.Shutdown(ctx)
	})
	return tracer
}

func shutdown(t *testing.T, tracer *Tracer) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := tracer.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func TestSpansLinkToTheirParents(t *testing.T) {
	c := newCollector(t)
	tracer := newTestTracer(t, c.URL+"/v1/traces", slog.New(slog.DiscardHandler))
	remote, _ := ParseTraceparent(incoming)
	ctx := ContextWithRemoteParent(context.Background(), remote)
	ctx, server := tracer.Start(ctx, "POST", KindServer)
	childCtx, child := tracer.Start(ctx, "publish <default>", KindProducer)
	_, grandchild := tracer.Start(childCtx, "inner", KindInternal)
	grandchild.End()
	child.End()
	server.End()
	_, root := tracer.Start(context.Background(), "GET", KindServer)
	root.End()

	if server.ParentID() != remote.SpanID || server.Context().TraceID != remote.TraceID {
		t.Fatalf("the server span does not continue the remote parent: %+v", server.Context())
	}
	if child.ParentID() != server.Context().SpanID || grandchild.ParentID() != child.Context().SpanID {
		t.Fatal("children are not under their parents")
	}
	if child.Context().TraceID != remote.TraceID || grandchild.Context().TraceID != remote.TraceID {
		t.Fatal("children left the trace")
	}
	if !root.ParentID().IsZero() || root.Context().TraceID == remote.TraceID || !root.Context().Sampled {
		t.Fatalf("a span with no parent should start a new sampled trace: %+v", root.Context())
	}
	if TraceIDFrom(ctx) != remote.TraceID.String() || TraceIDFrom(context.Background()) != "" {
		t.Fatal("TraceIDFrom")
	}
	shutdown(t, tracer)
	if got := len(c.spans()); got != 4 {
		t.Fatalf("exported %d spans, want 4", got)
	}
}

func TestAnUnsampledCallerIsFollowedAndNotExported(t *testing.T) {
	c := newCollector(t)
	tracer := newTestTracer(t, c.URL+"/v1/traces", slog.New(slog.DiscardHandler))
	remote, _ := ParseTraceparent(incoming[:53] + "00")
	ctx, span := tracer.Start(ContextWithRemoteParent(context.Background(), remote), "GET", KindServer)
	_, child := tracer.Start(ctx, "publish <default>", KindProducer)
	if child.Context().Sampled || !strings.HasSuffix(child.Context().Traceparent(), "-00") {
		t.Fatalf("the child should pass the caller's decision on: %s", child.Context().Traceparent())
	}
	child.End()
	span.End()
	shutdown(t, tracer)
	if got := c.spans(); len(got) != 0 {
		t.Fatalf("unsampled spans were exported: %+v", got)
	}
}

func TestANilTracerIsOff(t *testing.T) {
	var tracer *Tracer
	ctx, span := tracer.Start(context.Background(), "GET", KindServer)
	span.SetAttributes(String("a", "b"))
	span.RecordError(io.EOF)
	span.End()
	if span != nil || ctx != context.Background() || TraceIDFrom(ctx) != "" {
		t.Fatal("a nil tracer made a span")
	}
	handler := http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	if tracer.Middleware(handler, nil) == nil || tracer.Transport(nil) != http.DefaultTransport {
		t.Fatal("a nil tracer should hand back what it wraps")
	}
	if err := tracer.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestFromEnvReadsTheOpenTelemetryVariables(t *testing.T) {
	env := func(values map[string]string) func(string) string {
		return func(key string) string { return values[key] }
	}
	var logs logBuffer
	if FromEnv(env(nil), "billing", logs.logger()) != nil {
		t.Fatal("no endpoint should be tracing off")
	}
	if !strings.Contains(logs.String(), "tracing off: OTEL_EXPORTER_OTLP_ENDPOINT is not set") {
		t.Fatalf("it should say tracing is off: %s", logs.String())
	}
	if FromEnv(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://x:4318", "OTEL_SDK_DISABLED": "true"}), "billing", logs.logger()) != nil {
		t.Fatal("OTEL_SDK_DISABLED=true should be tracing off")
	}
	for _, tc := range []struct {
		env      map[string]string
		endpoint string
		service  string
	}{
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://traces:4318/"}, "http://traces:4318/v1/traces", "billing"},
		{map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://traces:4318", "OTEL_SERVICE_NAME": "other"}, "http://traces:4318/v1/traces", "other"},
		{map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://jaeger:4318/custom", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://traces:4318"}, "http://jaeger:4318/custom", "billing"},
	} {
		tracer := FromEnv(env(tc.env), "billing", logs.logger())
		if tracer == nil {
			t.Fatalf("%v: tracing off", tc.env)
		}
		if tracer.exporter.endpoint != tc.endpoint || tracer.exporter.service != tc.service {
			t.Errorf("%v: endpoint %s, service %s", tc.env, tracer.exporter.endpoint, tracer.exporter.service)
		}
		shutdown(t, tracer)
	}
	if !strings.Contains(logs.String(), "tracing to http://traces:4318/v1/traces") {
		t.Fatalf("it should say where it sends: %s", logs.String())
	}
}

func TestLogHandlerAddsTheTraceID(t *testing.T) {
	var logs logBuffer
	log := slog.New(LogHandler(slog.NewJSONHandler(&logs, nil))).With("service", "billing")
	tracer := newTestTracer(t, "http://127.0.0.1:9/v1/traces", slog.New(slog.DiscardHandler))
	ctx, span := tracer.Start(context.Background(), "POST", KindServer)
	log.InfoContext(ctx, "queueing verification", "email", "ana@example.com")
	log.Info("no context")
	span.End()
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	var first, second map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &first)
	_ = json.Unmarshal([]byte(lines[1]), &second)
	if first["trace_id"] != span.Context().TraceID.String() || first["service"] != "billing" {
		t.Fatalf("the line in a span lacks its trace: %s", lines[0])
	}
	if _, has := second["trace_id"]; has {
		t.Fatalf("a line outside any span has a trace: %s", lines[1])
	}
}
