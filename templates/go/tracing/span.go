package tracing

import (
	"sync"
	"time"
)

// Kind is OTLP's SpanKind.
type Kind int

const (
	KindInternal Kind = 1
	KindServer   Kind = 2
	KindClient   Kind = 3
	KindProducer Kind = 4
	KindConsumer Kind = 5
)

// StatusCode is OTLP's status code: unset, or error (this tracer never sets ok, as the SDKs' HTTP and
// AMQP instrumentations do not).
type StatusCode int

const (
	StatusUnset StatusCode = 0
	StatusError StatusCode = 2
)

// Attr is one attribute: a string, bool, int, int64 or float64 value (anything else is sent as text).
type Attr struct {
	Key   string
	Value any
}

func String(key, value string) Attr      { return Attr{key, value} }
func Int(key string, value int) Attr     { return Attr{key, value} }
func Bool(key string, value bool) Attr   { return Attr{key, value} }
func Float(key string, v float64) Attr   { return Attr{key, v} }
func Int64(key string, value int64) Attr { return Attr{key, value} }

// Event is a timed annotation on a span; an error is recorded as the event "exception".
type Event struct {
	Name       string
	Time       time.Time
	Attributes []Attr
}

// Span is one operation. A nil *Span (tracing off) takes every call and does nothing, so callers never
// check. Safe for use from several goroutines.
type Span struct {
	tracer   *Tracer
	name     string
	kind     Kind
	context  SpanContext
	parentID SpanID
	start    time.Time

	mu      sync.Mutex
	end     time.Time
	ended   bool
	attrs   []Attr
	events  []Event
	status  StatusCode
	message string
}

// Context is the span's own context: what a child or a downstream service continues.
func (s *Span) Context() SpanContext {
	if s == nil {
		return SpanContext{}
	}
	return s.context
}

// ParentID is the parent span's id, zero for a root span.
func (s *Span) ParentID() SpanID {
	if s == nil {
		return SpanID{}
	}
	return s.parentID
}

// Name is the span's name.
func (s *Span) Name() string {
	if s == nil {
		return ""
	}
	return s.name
}

// SetName renames the span (before End).
func (s *Span) SetName(name string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.name = name
}

// SetAttributes adds attributes, replacing any of the same key.
func (s *Span) SetAttributes(attrs ...Attr) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range attrs {
		s.attrs = setAttr(s.attrs, a)
	}
}

func setAttr(attrs []Attr, a Attr) []Attr {
	for i := range attrs {
		if attrs[i].Key == a.Key {
			attrs[i] = a
			return attrs
		}
	}
	return append(attrs, a)
}

// SetError marks the span in error, with a message (may be empty).
func (s *Span) SetError(message string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.message = StatusError, message
}

// RecordError marks the span in error with err's message, and records it as an "exception" event (as
// the SDKs' recordException does; the dashboard shows its message).
func (s *Span) RecordError(err error) {
	if s == nil || err == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.message = StatusError, err.Error()
	s.events = append(s.events, Event{Name: "exception", Time: time.Now(), Attributes: []Attr{
		String("exception.message", err.Error()),
	}})
}

// End finishes the span and hands it to the exporter when its trace is sampled. Only the first End counts.
func (s *Span) End() {
	if s == nil {
		return
	}
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended, s.end = true, time.Now()
	s.mu.Unlock()
	if s.context.Sampled && s.tracer.exporter != nil {
		s.tracer.exporter.enqueue(s)
	}
}

// snapshot is the span as exported, read once it has ended.
type snapshot struct {
	name       string
	kind       Kind
	context    SpanContext
	parentID   SpanID
	start, end time.Time
	attrs      []Attr
	events     []Event
	status     StatusCode
	message    string
}

func (s *Span) snapshot() snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return snapshot{
		name: s.name, kind: s.kind, context: s.context, parentID: s.parentID, start: s.start, end: s.end,
		attrs: append([]Attr(nil), s.attrs...), events: append([]Event(nil), s.events...),
		status: s.status, message: s.message,
	}
}
