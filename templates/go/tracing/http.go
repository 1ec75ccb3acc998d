package tracing

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Middleware traces each request next serves whose path traced says yes (health probes should not be:
// they would bury the requests in traces), as OpenTelemetry's HTTP instrumentation for Node does: a
// server span named after the method, continuing the caller's traceparent, with the request's
// attributes (stable HTTP semantic conventions) and its status; a 5xx marks it in error. The request's
// context carries the span, so spans started from it (a publish) are its children.
func (t *Tracer) Middleware(next http.Handler, traced func(*http.Request) bool) http.Handler {
	if t == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if traced != nil && !traced(r) {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		if parent, ok := Extract(r.Header.Get); ok {
			ctx = ContextWithRemoteParent(ctx, parent)
		}
		ctx, span := t.Start(ctx, r.Method, KindServer, serverAttributes(r)...)
		recorder := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				span.SetError("panic while serving the request")
				span.End()
				panic(p)
			}
			status := recorder.status
			if status == 0 {
				status = http.StatusOK // nothing written: net/http answers 200
			}
			span.SetAttributes(Int("http.response.status_code", status))
			if status >= 500 {
				span.SetAttributes(String("error.type", strconv.Itoa(status)))
				span.SetError("")
			}
			span.End()
		}()
		next.ServeHTTP(recorder, r.WithContext(ctx))
	})
}

// redactedQuery are the query keys whose values the Node instrumentation replaces with REDACTED.
var redactedQuery = []string{"sig", "Signature", "AWSAccessKeyId", "X-Goog-Signature", "X-Amz-Signature",
	"X-Amz-Credential", "X-Amz-Security-Token"}

func serverAttributes(r *http.Request) []Attr {
	attrs := []Attr{
		String("http.request.method", normalizeMethod(r.Method)),
		String("url.scheme", "http"),
	}
	host, port, scheme := serverAddress(r)
	if scheme != "" {
		attrs[1] = String("url.scheme", scheme)
	}
	if host != "" {
		attrs = append(attrs, String("server.address", host))
	}
	if peer, peerPort, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		attrs = append(attrs, String("network.peer.address", peer))
		if n, err := strconv.Atoi(peerPort); err == nil {
			attrs = append(attrs, Int("network.peer.port", n))
		}
	}
	attrs = append(attrs, String("network.protocol.version", strconv.Itoa(r.ProtoMajor)+"."+strconv.Itoa(r.ProtoMinor)))
	if agent := r.UserAgent(); agent != "" {
		attrs = append(attrs, String("user_agent.original", agent))
	}
	attrs = append(attrs, String("url.path", r.URL.Path))
	if r.URL.RawQuery != "" {
		query := r.URL.Query()
		for _, key := range redactedQuery {
			if query.Has(key) {
				query.Set(key, "REDACTED")
			}
		}
		attrs = append(attrs, String("url.query", query.Encode()))
	}
	if client := clientAddress(r); client != "" {
		attrs = append(attrs, String("client.address", client))
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err == nil {
			attrs = append(attrs, Int("server.port", n))
		}
	}
	if normalizeMethod(r.Method) != r.Method {
		attrs = append(attrs, String("http.request.method_original", r.Method))
	}
	return attrs
}

func normalizeMethod(method string) string {
	upper := strings.ToUpper(method)
	switch upper {
	case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY":
		return upper
	case "":
		return "GET"
	}
	return "_OTHER"
}

// serverAddress is the host the client addressed: Forwarded, then X-Forwarded-Host (Kong sets it to
// the host the client called), then Host; the port from it, or the scheme's default.
func serverAddress(r *http.Request) (host, port, scheme string) {
	scheme = strings.TrimSpace(strings.Split(r.Header.Get("X-Forwarded-Proto"), ",")[0])
	hostHeader := r.Host
	if forwarded := r.Header.Get("Forwarded"); forwarded != "" {
		for _, pair := range strings.Split(strings.Split(forwarded, ",")[0], ";") {
			key, value, _ := strings.Cut(strings.TrimSpace(pair), "=")
			value = strings.Trim(value, `"`)
			switch strings.ToLower(key) {
			case "host":
				hostHeader = value
			case "proto":
				scheme = value
			}
		}
	} else if forwardedHost := r.Header.Get("X-Forwarded-Host"); forwardedHost != "" {
		hostHeader = strings.TrimSpace(strings.Split(forwardedHost, ",")[0])
	}
	if hostHeader == "" {
		return "", "", scheme
	}
	if h, p, err := net.SplitHostPort(hostHeader); err == nil {
		return h, p, scheme
	}
	switch scheme {
	case "https":
		return hostHeader, "443", scheme
	case "http", "":
		return hostHeader, "80", scheme
	}
	return hostHeader, "", scheme
}

// clientAddress is the original client: X-Forwarded-For's first address (Kong adds the caller), else
// the peer.
func clientAddress(r *http.Request) string {
	if forwarded := r.Header.Get("X-Forwarded-For"); forwarded != "" {
		first := strings.TrimSpace(strings.Split(forwarded, ",")[0])
		if h, _, err := net.SplitHostPort(first); err == nil {
			return strings.Trim(h, "[]")
		}
		return strings.Trim(first, "[]")
	}
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// statusRecorder remembers the status the handler wrote; Flush and Hijack pass through.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(status int) {
	if s.status == 0 {
		s.status = status
	}
	s.ResponseWriter.WriteHeader(status)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (s *statusRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := s.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("tracing: the response writer cannot be hijacked")
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Transport traces the requests it sends as the Node instrumentation does: a client span named after
// the method, under the request context's active span, whose traceparent goes with the request; a
// status of 400 or more, or no answer, marks it in error. base nil means http.DefaultTransport. With
// tracing off it is base itself.
func (t *Tracer) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	if t == nil {
		return base
	}
	return &transport{tracer: t, base: base}
}

type transport struct {
	tracer *Tracer
	base   http.RoundTripper
}

func (tr *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	port := r.URL.Port()
	if port == "" {
		port = map[string]string{"https": "443"}[r.URL.Scheme]
		if port == "" {
			port = "80"
		}
	}
	attrs := []Attr{
		String("http.request.method", normalizeMethod(r.Method)),
		String("server.address", r.URL.Hostname()),
		Int("server.port", atoi(port)),
		String("url.full", redactURL(r.URL)),
	}
	if agent := r.UserAgent(); agent != "" {
		attrs = append(attrs, String("user_agent.original", agent))
	}
	_, span := tr.tracer.Start(r.Context(), r.Method, KindClient, attrs...)
	// A RoundTripper must not change the caller's request: the header goes on a copy.
	outgoing := r.Clone(r.Context())
	Inject(span.Context(), outgoing.Header.Set)
	response, err := tr.base.RoundTrip(outgoing)
	if err != nil {
		span.SetAttributes(String("error.type", errorType(err)))
		span.RecordError(err)
		span.End()
		return nil, err
	}
	span.SetAttributes(
		Int("http.response.status_code", response.StatusCode),
		String("network.protocol.version", strconv.Itoa(response.ProtoMajor)+"."+strconv.Itoa(response.ProtoMinor)),
	)
	if response.StatusCode >= 400 {
		span.SetAttributes(String("error.type", strconv.Itoa(response.StatusCode)))
		span.SetError("")
	}
	span.End()
	return response, nil
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func redactURL(u *url.URL) string {
	c := *u
	if c.User != nil {
		c.User = url.UserPassword("REDACTED", "REDACTED")
	}
	return c.String()
}

func errorType(err error) string {
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return "timeout"
	}
	return "_OTHER"
}
