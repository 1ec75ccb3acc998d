package tracing

import (
	"net/http"
	"testing"
)

const incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

func TestParseTraceparentReadsW3C(t *testing.T) {
	sc, ok := ParseTraceparent(incoming)
	if !ok {
		t.Fatal("a valid traceparent was refused")
	}
	if sc.TraceID.String() != "0af7651916cd43dd8448eb211c80319c" || sc.SpanID.String() != "b7ad6b7169203331" || !sc.Sampled {
		t.Fatalf("parsed %+v", sc)
	}
	if sc.Traceparent() != incoming {
		t.Fatalf("formatted back as %q", sc.Traceparent())
	}
	unsampled, ok := ParseTraceparent(incoming[:53] + "00")
	if !ok || unsampled.Sampled {
		t.Fatalf("flags 00: %+v %v", unsampled, ok)
	}
	if unsampled.Traceparent() != incoming[:53]+"00" {
		t.Fatalf("unsampled formatted as %q", unsampled.Traceparent())
	}
	// Only bit 0 of the flags is "sampled"; a later version may carry more fields.
	if sc, ok := ParseTraceparent(incoming[:53] + "03"); !ok || !sc.Sampled {
		t.Fatal("flags 03 should be sampled")
	}
	if _, ok := ParseTraceparent("01" + incoming[2:] + "-what-comes-later"); !ok {
		t.Fatal("a later version with more fields should be read")
	}
	if _, ok := ParseTraceparent(" " + incoming + " "); !ok {
		t.Fatal("one space around it is allowed")
	}
}

func TestParseTraceparentIgnoresInvalidHeaders(t *testing.T) {
	for _, bad := range []string{
		"",
		"garbage",
		incoming[:54],       // short
		incoming + "-extra", // version 00 has exactly four fields
		incoming + "0",      // trailing characters
		"ff" + incoming[2:], // version ff is invalid
		"00-" + "00000000000000000000000000000000" + "-b7ad6b7169203331-01", // zero trace id
		"00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",           // zero span id
		"00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",           // upper case
		"00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01",           // not hex
		"00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01",           // separators
		"0x-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",           // version not hex
		"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0z",           // flags not hex
		"01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x",          // later version, no dash
	} {
		if sc, ok := ParseTraceparent(bad); ok || sc.IsValid() {
			t.Errorf("%q was accepted: %+v", bad, sc)
		}
	}
}

func TestInjectAndExtractCarryTracestate(t *testing.T) {
	header := http.Header{}
	sc, _ := ParseTraceparent(incoming)
	sc.TraceState = "kong=1,other=2"
	Inject(sc, header.Set)
	if header.Get("traceparent") != incoming || header.Get("tracestate") != "kong=1,other=2" {
		t.Fatalf("injected %v", header)
	}
	back, ok := Extract(header.Get)
	if !ok || back != sc {
		t.Fatalf("extracted %+v", back)
	}
	empty := http.Header{}
	Inject(SpanContext{}, empty.Set)
	if len(empty) != 0 {
		t.Fatalf("an invalid context injected %v", empty)
	}
	if _, ok := Extract(http.Header{"Traceparent": {"nonsense"}}.Get); ok {
		t.Fatal("an invalid header was extracted")
	}
}
