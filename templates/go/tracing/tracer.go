package tracing

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Tracer starts spans and owns the exporter. A nil *Tracer is tracing off.
type Tracer struct {
	exporter *Exporter
}

// Options configure a Tracer. Endpoint and ServiceName are required; the rest have defaults.
type Options struct {
	// Endpoint is the full OTLP/HTTP traces URL, e.g. http://traces:4318/v1/traces.
	Endpoint    string
	ServiceName string
	// Log says when spans are dropped (the receiver is down, the queue is full). Default: slog.Default().
	Log *slog.Logger
	// Delay between sends (default 200 ms: a development stack wants the trace on screen at once; the
	// SDKs' default is 5 s). BatchSize spans at most per request (512), MaxQueue spans waiting (2048):
	// past it new spans are dropped, never blocking the request that ended them.
	Delay     time.Duration
	BatchSize int
	MaxQueue  int
	// Client sends the batches (default: a client with a 5 s timeout).
	Client *http.Client
}

// New starts a tracer and its exporter's goroutine; Shutdown stops both.
func New(options Options) *Tracer {
	return &Tracer{exporter: newExporter(options)}
}

// FromEnv is the tracer the environment asks for, as the OpenTelemetry SDKs read it:
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (used as it is) or OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces),
// OTEL_SERVICE_NAME (else defaultService), OTEL_SDK_DISABLED=true to turn it off, OTEL_BSP_SCHEDULE_DELAY
// (ms). With no endpoint it is nil: tracing off, no error. It says which, in one log line.
func FromEnv(getenv func(string) string, defaultService string, log *slog.Logger) *Tracer {
	endpoint := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
	if endpoint == "" {
		if base := strings.TrimSpace(getenv("OTEL_EXPORTER_OTLP_ENDPOINT")); base != "" {
			endpoint = strings.TrimRight(base, "/") + "/v1/traces"
		}
	}
	if endpoint == "" || strings.EqualFold(strings.TrimSpace(getenv("OTEL_SDK_DISABLED")), "true") {
		log.Info("tracing off: OTEL_EXPORTER_OTLP_ENDPOINT is not set")
		return nil
	}
	service := strings.TrimSpace(getenv("OTEL_SERVICE_NAME"))
	if service == "" {
		service = defaultService
	}
	options := Options{Endpoint: endpoint, ServiceName: service, Log: log}
	if ms, err := strconv.Atoi(strings.TrimSpace(getenv("OTEL_BSP_SCHEDULE_DELAY"))); err == nil && ms > 0 {
		options.Delay = time.Duration(ms) * time.Millisecond
	}
	log.Info("tracing to "+endpoint+" (OTLP/HTTP, JSON; mkdev's stdlib tracer)", "service.name", service)
	return New(options)
}

// Shutdown sends the spans still queued (waiting at most until ctx is done) and stops the exporter.
func (t *Tracer) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.exporter.shutdown(ctx)
}

type spanKey struct{}
type remoteKey struct{}

// ContextWithSpan returns ctx with span as the active span (the parent of spans started from it).
func ContextWithSpan(ctx context.Context, span *Span) context.Context {
	if span == nil {
		return ctx
	}
	return context.WithValue(ctx, spanKey{}, span)
}

// SpanFromContext is ctx's active span, nil when none (or tracing off).
func SpanFromContext(ctx context.Context) *Span {
	span, _ := ctx.Value(spanKey{}).(*Span)
	return span
}

// ContextWithRemoteParent returns ctx with a parent from another process (a traceparent received):
// the next span started from it continues that trace.
func ContextWithRemoteParent(ctx context.Context, parent SpanContext) context.Context {
	if !parent.IsValid() {
		return ctx
	}
	return context.WithValue(ctx, remoteKey{}, parent)
}

// TraceIDFrom is the id of ctx's active trace, "" when none.
func TraceIDFrom(ctx context.Context) string {
	if span := SpanFromContext(ctx); span != nil {
		return span.context.TraceID.String()
	}
	return ""
}

// Start starts a span under ctx's active span, else under ctx's remote parent, else as the root of a
// new trace (sampled: the parent's decision is followed, a new trace is always sampled, as the SDKs'
// ParentBased(AlwaysOn) sampler does). End it with span.End(). The returned context carries it.
func (t *Tracer) Start(ctx context.Context, name string, kind Kind, attrs ...Attr) (context.Context, *Span) {
	if t == nil {
		return ctx, nil
	}
	span := &Span{tracer: t, name: name, kind: kind, start: time.Now(), attrs: append([]Attr(nil), attrs...)}
	var parent SpanContext
	if active := SpanFromContext(ctx); active != nil {
		parent = active.context
	} else if remote, ok := ctx.Value(remoteKey{}).(SpanContext); ok {
		parent = remote
	}
	if parent.IsValid() {
		span.context = SpanContext{TraceID: parent.TraceID, Sampled: parent.Sampled, TraceState: parent.TraceState}
		span.parentID = parent.SpanID
	} else {
		span.context = SpanContext{TraceID: newTraceID(), Sampled: true}
	}
	span.context.SpanID = newSpanID()
	return ContextWithSpan(ctx, span), span
}
