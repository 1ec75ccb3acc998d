package tracing

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
)

// TraceparentHeader and TracestateHeader are W3C Trace Context's header names (HTTP and message headers).
const (
	TraceparentHeader = "traceparent"
	TracestateHeader  = "tracestate"
)

// TraceID is a trace's 16-byte id; SpanID a span's 8-byte id. Zero is invalid for both.
type (
	TraceID [16]byte
	SpanID  [8]byte
)

func (t TraceID) String() string { return hex.EncodeToString(t[:]) }
func (s SpanID) String() string  { return hex.EncodeToString(s[:]) }

// IsZero says whether the id is all zeros (not set).
func (t TraceID) IsZero() bool { return t == TraceID{} }

// IsZero says whether the id is all zeros (not set).
func (s SpanID) IsZero() bool { return s == SpanID{} }

// SpanContext is what crosses a process boundary: the trace, the span that is the parent on the other
// side, whether the trace is sampled, and the vendors' tracestate (carried through unchanged).
type SpanContext struct {
	TraceID    TraceID
	SpanID     SpanID
	Sampled    bool
	TraceState string
}

// IsValid says whether both ids are set.
func (sc SpanContext) IsValid() bool { return !sc.TraceID.IsZero() && !sc.SpanID.IsZero() }

// Traceparent is the W3C header value for this context: 00-<trace id>-<span id>-<flags>.
func (sc SpanContext) Traceparent() string {
	flags := "00"
	if sc.Sampled {
		flags = "01"
	}
	return "00-" + sc.TraceID.String() + "-" + sc.SpanID.String() + "-" + flags
}

// ParseTraceparent reads a W3C traceparent as OpenTelemetry's W3CTraceContextPropagator does: lower-case
// hex only, version ff refused, version 00 with exactly four fields (a later version may have more),
// neither id all zeros, one space allowed around it. Anything else is no parent (ok false): a bad header
// starts a new trace, it never fails the request.
func ParseTraceparent(value string) (sc SpanContext, ok bool) {
	value = strings.TrimPrefix(value, " ")
	value = strings.TrimSuffix(value, " ")
	if len(value) < 55 || value[2] != '-' || value[35] != '-' || value[52] != '-' {
		return SpanContext{}, false
	}
	version, traceID, spanID, flags := value[0:2], value[3:35], value[36:52], value[53:55]
	if len(value) > 55 && (version == "00" || value[55] != '-') {
		return SpanContext{}, false
	}
	if version == "ff" || !lowerHex(version) || !lowerHex(traceID) || !lowerHex(spanID) || !lowerHex(flags) {
		return SpanContext{}, false
	}
	_, _ = hex.Decode(sc.TraceID[:], []byte(traceID))
	_, _ = hex.Decode(sc.SpanID[:], []byte(spanID))
	var flagByte [1]byte
	_, _ = hex.Decode(flagByte[:], []byte(flags))
	sc.Sampled = flagByte[0]&1 == 1
	if !sc.IsValid() {
		return SpanContext{}, false
	}
	return sc, true
}

func lowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Extract reads the span context from headers found by get (an HTTP header or a message's headers).
func Extract(get func(key string) string) (SpanContext, bool) {
	sc, ok := ParseTraceparent(get(TraceparentHeader))
	if ok {
		sc.TraceState = get(TracestateHeader)
	}
	return sc, ok
}

// Inject writes sc as traceparent (and tracestate when there is one) through set.
func Inject(sc SpanContext, set func(key, value string)) {
	if !sc.IsValid() {
		return
	}
	set(TraceparentHeader, sc.Traceparent())
	if sc.TraceState != "" {
		set(TracestateHeader, sc.TraceState)
	}
}

func newTraceID() (id TraceID) {
	for id.IsZero() {
		_, _ = rand.Read(id[:])
	}
	return id
}

func newSpanID() (id SpanID) {
	for id.IsZero() {
		_, _ = rand.Read(id[:])
	}
	return id
}
