package tracing

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func attrMap(attrs []KeyValue) map[string]any {
	out := map[string]any{}
	for _, kv := range attrs {
		switch {
		case kv.Value.StringValue != nil:
			out[kv.Key] = *kv.Value.StringValue
		case kv.Value.IntValue != nil:
			out[kv.Key] = "int:" + *kv.Value.IntValue
		case kv.Value.BoolValue != nil:
			out[kv.Key] = *kv.Value.BoolValue
		}
	}
	return out
}

func TestMiddlewareContinuesTheCallersTraceAndSkipsProbes(t *testing.T) {
	c := newCollector(t)
	tracer := newTestTracer(t, c.URL+"/v1/traces", slog.New(slog.DiscardHandler))
	var inHandler []*Span
	handler := tracer.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inHandler = append(inHandler, SpanFromContext(r.Context()))
		switch r.URL.Path {
		case "/broken":
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/missing":
			http.NotFound(w, r)
		default:
			w.WriteHeader(http.StatusAccepted)
		}
	}), func(r *http.Request) bool { return r.URL.Path != "/healthz" })

	// As Kong sends it: its balancer span's traceparent, and the forwarded headers.
	request := httptest.NewRequest(http.MethodPost, "/verifications?sig=secret&a=1", strings.NewReader("{}"))
	request.RemoteAddr = "172.18.0.5:40122"
	request.Header.Set("traceparent", incoming)
	request.Header.Set("X-Forwarded-Host", "localhost")
	request.Header.Set("X-Forwarded-Port", "8000")
	request.Header.Set("X-Forwarded-Proto", "http")
	request.Header.Set("X-Forwarded-For", "172.18.0.1")
	request.Header.Set("User-Agent", "curl/8")
	recorder := httptest.NewRecorder()
	handler.ServeHTTP(recorder, request)
	if recorder.Code != http.StatusAccepted {
		t.Fatalf("status %d", recorder.Code)
	}
	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	bad := httptest.NewRequest(http.MethodGet, "/broken", nil)
	bad.Header.Set("traceparent", "not a traceparent")
	handler.ServeHTTP(httptest.NewRecorder(), bad)
	handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/missing", nil))
	shutdown(t, tracer)

	spans := c.spans()
	if len(spans) != 3 {
		t.Fatalf("%d spans, want 3 (the probe is not traced)", len(spans))
	}
	post, broken, missing := spans[0], spans[1], spans[2]
	// The handler ran in the server span (a publish from it is its child); the probe ran in none.
	if len(inHandler) != 4 || inHandler[0].Context().SpanID.String() != post.SpanID || inHandler[1] != nil {
		t.Fatalf("spans in the handler: %v", inHandler)
	}
	if post.Name != "POST" || post.Kind != 2 || post.TraceID != "0af7651916cd43dd8448eb211c80319c" ||
		post.ParentSpanID != "b7ad6b7169203331" {
		t.Fatalf("server span: %+v", post)
	}
	want := map[string]any{
		"http.request.method":       "POST",
		"url.scheme":                "http",
		"server.address":            "localhost",
		"server.port":               "int:80",
		"network.peer.address":      "172.18.0.5",
		"network.peer.port":         "int:40122",
		"network.protocol.version":  "1.1",
		"user_agent.original":       "curl/8",
		"url.path":                  "/verifications",
		"url.query":                 "a=1&sig=REDACTED",
		"client.address":            "172.18.0.1",
		"http.response.status_code": "int:202",
	}
	got := attrMap(post.Attributes)
	for key, value := range want {
		if got[key] != value {
			t.Errorf("%s = %v, want %v", key, got[key], value)
		}
	}
	if post.Status.Code != 0 {
		t.Fatalf("a 202 is not an error: %+v", post.Status)
	}
	// An invalid traceparent starts a new trace; a 5xx is an error, a 4xx is not (the server did its job).
	if broken.ParentSpanID != "" || broken.TraceID == post.TraceID || broken.Status.Code != 2 ||
		attrMap(broken.Attributes)["error.type"] != "503" {
		t.Fatalf("503 span: %+v", broken)
	}
	if missing.Status.Code != 0 || attrMap(missing.Attributes)["http.response.status_code"] != "int:404" {
		t.Fatalf("404 span: %+v", missing)
	}
}

func TestMiddlewareEndsTheSpanOfAPanickingHandler(t *testing.T) {
	c := newCollector(t)
	tracer := newTestTracer(t, c.URL+"/v1/traces", slog.New(slog.DiscardHandler))
	handler := tracer.Middleware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), nil)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic was swallowed")
			}
		}()
		handler.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	}()
	shutdown(t, tracer)
	if spans := c.spans(); len(spans) != 1 || spans[0].Status.Code != 2 {
		t.Fatalf("spans: %+v", spans)
	}
}

func TestTransportSendsTheTraceOnAndMakesAClientSpan(t *testing.T) {
	c := newCollector(t)
	tracer := newTestTracer(t, c.URL+"/v1/traces", slog.New(slog.DiscardHandler))
	received := map[string]string{}
	downstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		received[r.URL.Path] = r.Header.Get("traceparent")
		if r.URL.Path == "/gone" {
			w.WriteHeader(http.StatusNotFound)
		}
	}))
	defer downstream.Close()
	client := &http.Client{Transport: tracer.Transport(nil)}
	ctx, parent := tracer.Start(context.Background(), "POST", KindServer)
	request, _ := http.NewRequestWithContext(ctx, http.MethodGet, downstream.URL+"/x", nil)
	response, err := client.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, response.Body)
	_ = response.Body.Close()
	if request.Header.Get("traceparent") != "" {
		t.Fatal("the caller's request was changed")
	}
	gone, _ := http.NewRequestWithContext(ctx, http.MethodGet, downstream.URL+"/gone", nil)
	if response, err := client.Do(gone); err == nil {
		_ = response.Body.Close()
	}
	refused, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:9/", nil)
	if _, err := client.Do(refused); err == nil {
		t.Fatal("port 9 answered")
	}
	parent.End()
	shutdown(t, tracer)

	spans := c.spans()
	if len(spans) != 4 {
		t.Fatalf("%d spans, want 4", len(spans))
	}
	ok, notFound, failed := spans[0], spans[1], spans[2]
	if ok.Kind != 3 || ok.Name != "GET" || ok.ParentSpanID != parent.Context().SpanID.String() {
		t.Fatalf("client span: %+v", ok)
	}
	// The downstream service got the client span as its parent.
	if received["/x"] != "00-"+ok.TraceID+"-"+ok.SpanID+"-01" {
		t.Fatalf("downstream got traceparent %q", received["/x"])
	}
	attrs := attrMap(ok.Attributes)
	if attrs["http.request.method"] != "GET" || attrs["server.address"] != "127.0.0.1" ||
		attrs["url.full"] != downstream.URL+"/x" || attrs["http.response.status_code"] != "int:200" || ok.Status.Code != 0 {
		t.Fatalf("client span attributes: %v", attrs)
	}
	if notFound.Status.Code != 2 || attrMap(notFound.Attributes)["error.type"] != "404" {
		t.Fatalf("a 404 is a client error: %+v", notFound)
	}
	if failed.Status.Code != 2 || len(failed.Events) != 1 || failed.Events[0].Name != "exception" {
		t.Fatalf("no answer is an error with its exception: %+v", failed)
	}
}
