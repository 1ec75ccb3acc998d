package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// ScopeName names this tracer in every export (OTLP's InstrumentationScope).
const (
	ScopeName    = "mkdev-go-tracer"
	ScopeVersion = "1"
)

// Exporter queues ended spans and sends them every Delay, at most BatchSize per request, as an OTLP
// ExportTraceServiceRequest in JSON. Enqueueing never blocks: a full queue drops the span. A batch the
// receiver does not take (down, or an error status) is dropped too; both are said in the log, at most
// once per dropInterval, with how many were lost.
type Exporter struct {
	endpoint string
	service  string
	log      *slog.Logger
	client   *http.Client
	delay    time.Duration
	batch    int

	queue   chan *Span
	flushes chan chan struct{}
	stop    chan struct{}
	done    chan struct{}
	once    sync.Once

	mu       sync.Mutex
	dropped  int // spans dropped since the last log line about it
	lastSaid time.Time
	sent     int
	lost     int
}

// dropInterval bounds how often the exporter says it dropped spans: a receiver that is down must not
// fill the service's log.
const dropInterval = time.Minute

func newExporter(o Options) *Exporter {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Delay <= 0 {
		o.Delay = 200 * time.Millisecond
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 512
	}
	if o.MaxQueue <= 0 {
		o.MaxQueue = 2048
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: 5 * time.Second}
	}
	e := &Exporter{
		endpoint: o.Endpoint, service: o.ServiceName, log: o.Log, client: o.Client, delay: o.Delay,
		batch: o.BatchSize, queue: make(chan *Span, o.MaxQueue), flushes: make(chan chan struct{}),
		stop: make(chan struct{}), done: make(chan struct{}),
	}
	go e.loop()
	return e
}

func (e *Exporter) enqueue(span *Span) {
	select {
	case e.queue <- span:
	default:
		e.drop(1, "the queue is full")
	}
}

// Stats are the exporter's counts: spans the receiver took, spans dropped (queue full or not taken).
func (e *Exporter) Stats() (sent, dropped int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.sent, e.lost
}

// Exporter is the tracer's exporter (nil for a nil Tracer), for its Stats.
func (t *Tracer) Exporter() *Exporter {
	if t == nil {
		return nil
	}
	return t.exporter
}

func (e *Exporter) drop(n int, why string) {
	e.mu.Lock()
	e.dropped += n
	e.lost += n
	say := time.Since(e.lastSaid) >= dropInterval
	count := e.dropped
	if say {
		e.dropped, e.lastSaid = 0, time.Now()
	}
	e.mu.Unlock()
	if say {
		e.log.Warn("tracing: dropped spans", "count", count, "reason", why, "endpoint", e.endpoint)
	}
}

func (e *Exporter) loop() {
	defer close(e.done)
	ticker := time.NewTicker(e.delay)
	defer ticker.Stop()
	for {
		select {
		case <-ticker.C:
			e.sendQueued(context.Background())
		case flushed := <-e.flushes:
			e.sendQueued(context.Background())
			close(flushed)
		case <-e.stop:
			return
		}
	}
}

// sendQueued sends what is queued now, in batches, until the queue is empty.
func (e *Exporter) sendQueued(ctx context.Context) {
	for {
		spans := make([]*Span, 0, min(len(e.queue), e.batch))
	collect:
		for len(spans) < e.batch {
			select {
			case span := <-e.queue:
				spans = append(spans, span)
			default:
				break collect
			}
		}
		if len(spans) == 0 {
			return
		}
		e.send(ctx, spans)
	}
}

func (e *Exporter) send(ctx context.Context, spans []*Span) {
	body, err := json.Marshal(Encode(e.service, spans))
	if err != nil {
		e.drop(len(spans), "encoding: "+err.Error())
		return
	}
	request, err := http.NewRequestWithContext(ctx, http.MethodPost, e.endpoint, bytes.NewReader(body))
	if err != nil {
		e.drop(len(spans), err.Error())
		return
	}
	request.Header.Set("content-type", "application/json")
	response, err := e.client.Do(request)
	if err != nil {
		e.drop(len(spans), err.Error())
		return
	}
	answer, _ := io.ReadAll(io.LimitReader(response.Body, 512))
	_ = response.Body.Close()
	if response.StatusCode/100 != 2 {
		e.drop(len(spans), fmt.Sprintf("the receiver answered %d %s", response.StatusCode, bytes.TrimSpace(answer)))
		return
	}
	e.mu.Lock()
	e.sent += len(spans)
	e.mu.Unlock()
}

// Flush sends every span queued so far, and returns once done or when ctx is done.
func (e *Exporter) Flush(ctx context.Context) error {
	flushed := make(chan struct{})
	select {
	case e.flushes <- flushed:
	case <-e.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-flushed:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (e *Exporter) shutdown(ctx context.Context) error {
	err := e.Flush(ctx)
	e.once.Do(func() { close(e.stop) })
	select {
	case <-e.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	return err
}

// The OTLP/JSON shapes (opentelemetry-proto, "JSON Protobuf Encoding"): lowerCamelCase keys, ids as hex,
// enums as integers, 64-bit integers as decimal strings.
type (
	ExportRequest struct {
		ResourceSpans []ResourceSpans `json:"resourceSpans"`
	}
	ResourceSpans struct {
		Resource   Resource     `json:"resource"`
		ScopeSpans []ScopeSpans `json:"scopeSpans"`
	}
	Resource struct {
		Attributes []KeyValue `json:"attributes"`
	}
	ScopeSpans struct {
		Scope Scope      `json:"scope"`
		Spans []SpanJSON `json:"spans"`
	}
	Scope struct {
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
	}
	SpanJSON struct {
		TraceID           string      `json:"traceId"`
		SpanID            string      `json:"spanId"`
		TraceState        string      `json:"traceState,omitempty"`
		ParentSpanID      string      `json:"parentSpanId,omitempty"`
		Name              string      `json:"name"`
		Kind              int         `json:"kind"`
		StartTimeUnixNano string      `json:"startTimeUnixNano"`
		EndTimeUnixNano   string      `json:"endTimeUnixNano"`
		Attributes        []KeyValue  `json:"attributes,omitempty"`
		Events            []EventJSON `json:"events,omitempty"`
		Status            StatusJSON  `json:"status"`
	}
	EventJSON struct {
		TimeUnixNano string     `json:"timeUnixNano"`
		Name         string     `json:"name"`
		Attributes   []KeyValue `json:"attributes,omitempty"`
	}
	StatusJSON struct {
		Code    int    `json:"code,omitempty"`
		Message string `json:"message,omitempty"`
	}
	KeyValue struct {
		Key   string   `json:"key"`
		Value AnyValue `json:"value"`
	}
	// AnyValue holds exactly one of its fields.
	AnyValue struct {
		StringValue *string  `json:"stringValue,omitempty"`
		BoolValue   *bool    `json:"boolValue,omitempty"`
		IntValue    *string  `json:"intValue,omitempty"`
		DoubleValue *float64 `json:"doubleValue,omitempty"`
	}
)

// Encode is the ExportTraceServiceRequest for spans of one service (ended spans only).
func Encode(service string, spans []*Span) ExportRequest {
	out := make([]SpanJSON, 0, len(spans))
	for _, span := range spans {
		s := span.snapshot()
		encoded := SpanJSON{
			TraceID:           s.context.TraceID.String(),
			SpanID:            s.context.SpanID.String(),
			TraceState:        s.context.TraceState,
			Name:              s.name,
			Kind:              int(s.kind),
			StartTimeUnixNano: nanos(s.start),
			EndTimeUnixNano:   nanos(s.end),
			Attributes:        keyValues(s.attrs),
			Status:            StatusJSON{Code: int(s.status), Message: s.message},
		}
		if !s.parentID.IsZero() {
			encoded.ParentSpanID = s.parentID.String()
		}
		for _, event := range s.events {
			encoded.Events = append(encoded.Events, EventJSON{
				TimeUnixNano: nanos(event.Time), Name: event.Name, Attributes: keyValues(event.Attributes),
			})
		}
		out = append(out, encoded)
	}
	return ExportRequest{ResourceSpans: []ResourceSpans{{
		Resource: Resource{Attributes: keyValues([]Attr{
			String("service.name", service),
			String("telemetry.sdk.language", "go"),
			String("telemetry.sdk.name", ScopeName),
			String("telemetry.sdk.version", ScopeVersion),
		})},
		ScopeSpans: []ScopeSpans{{Scope: Scope{Name: ScopeName, Version: ScopeVersion}, Spans: out}},
	}}}
}

func nanos(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 10) }

func keyValues(attrs []Attr) []KeyValue {
	out := make([]KeyValue, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, KeyValue{Key: a.Key, Value: anyValue(a.Value)})
	}
	return out
}

func anyValue(v any) AnyValue {
	switch x := v.(type) {
	case string:
		return AnyValue{StringValue: &x}
	case bool:
		return AnyValue{BoolValue: &x}
	case int:
		s := strconv.Itoa(x)
		return AnyValue{IntValue: &s}
	case int64:
		s := strconv.FormatInt(x, 10)
		return AnyValue{IntValue: &s}
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) { // JSON has no NaN or infinity
			s := strconv.FormatFloat(x, 'g', -1, 64)
			return AnyValue{StringValue: &s}
		}
		return AnyValue{DoubleValue: &x}
	default:
		s := fmt.Sprint(x)
		return AnyValue{StringValue: &s}
	}
}
