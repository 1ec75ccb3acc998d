package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
)

type fakeState struct {
	mu                 sync.Mutex
	isHealthy, isReady bool
	published          []verificationMessage
	list               []processedMessage
	failPublish        error
}

// update changes the state under its lock: the server reads it from its own goroutines.
func (s *fakeState) update(change func(*fakeState)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	change(s)
}

func (s *fakeState) healthy() bool { s.mu.Lock(); defer s.mu.Unlock(); return s.isHealthy }
func (s *fakeState) ready() bool   { s.mu.Lock(); defer s.mu.Unlock(); return s.isReady }
func (s *fakeState) publish(_ context.Context, m verificationMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failPublish != nil {
		return s.failPublish
	}
	s.published = append(s.published, m)
	return nil
}
func (s *fakeState) processed() []processedMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]processedMessage{}, s.list...)
}

func serve(t *testing.T) (*fakeState, string) {
	t.Helper()
	cfg, err := parseConfig(env(minimal), "test")
	if err != nil {
		t.Fatal(err)
	}
	state := &fakeState{}
	server := httptest.NewServer(newHTTPHandler(cfg, state))
	t.Cleanup(server.Close)
	return state, server.URL
}

func call(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	request, _ := http.NewRequest(method, url, strings.NewReader(body))
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		t.Fatal(err)
	}
	defer response.Body.Close()
	raw, _ := io.ReadAll(response.Body)
	var decoded map[string]any
	if err := json.Unmarshal(raw, &decoded); err != nil {
		t.Fatalf("%s %s: not JSON: %q", method, url, raw)
	}
	return response.StatusCode, decoded
}

func TestHealthForConsulAndReadinessForMkdevUpAreApart(t *testing.T) {
	state, base := serve(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		if status, _ := call(t, "GET", base+path, ""); status != 503 {
			t.Fatalf("%s while starting: %d", path, status)
		}
	}
	state.update(func(s *fakeState) { s.isHealthy = true })
	if status, body := call(t, "GET", base+"/healthz", ""); status != 200 || !reflect.DeepEqual(body, map[string]any{"status": "ok", "instance": "orders-test"}) {
		t.Fatalf("healthz: %d %v", status, body)
	}
	if status, body := call(t, "GET", base+"/readyz", ""); status != 503 || body["status"] != "starting" {
		t.Fatalf("readyz before registering: %d %v", status, body)
	}
	state.update(func(s *fakeState) { s.isReady = true })
	if status, _ := call(t, "GET", base+"/readyz", ""); status != 200 {
		t.Fatalf("readyz: %d", status)
	}
}

func TestTheSampleEndpointAnswersOnSlashAndOnTheRoutePath(t *testing.T) {
	_, base := serve(t)
	for _, path := range []string{"/", "/orders"} {
		status, body := call(t, "GET", base+path, "")
		if status != 200 || body["service"] != "orders" || body["instance"] != "orders-test" || body["message"] != "hello from orders" {
			t.Fatalf("%s: %d %v", path, status, body)
		}
	}
}

func TestAVerificationIsQueuedAndTheProcessedOnesListedWithOrWithoutThePrefix(t *testing.T) {
	state, base := serve(t)
	status, body := call(t, "POST", base+"/orders/verifications", `{"email":"ana@example.com","name":"Ana"}`)
	if status != 202 || body["queued"] != true || body["queue"] != "orders-verifications" {
		t.Fatalf("POST: %d %v", status, body)
	}
	want := []verificationMessage{{Email: "ana@example.com", Template: "userVerification", Data: verificationData{Name: "Ana", Token: body["token"].(string)}}}
	var published []verificationMessage
	state.update(func(s *fakeState) { published = s.published })
	if !reflect.DeepEqual(published, want) {
		t.Fatalf("published %+v", published)
	}
	for _, path := range []string{"/verifications", "/orders/verifications"} {
		if status, body := call(t, "GET", base+path, ""); status != 200 || !reflect.DeepEqual(body, map[string]any{"processed": []any{}}) {
			t.Fatalf("GET %s before processing: %d %v", path, status, body)
		}
	}
	state.update(func(s *fakeState) {
		s.list = append(s.list, processedMessage{verificationMessage: want[0], ProcessedAt: "now"})
	})
	status, body = call(t, "GET", base+"/verifications", "")
	listed, _ := json.Marshal(body["processed"])
	if status != 200 || string(listed) != `[{"data":{"name":"Ana","token":"`+want[0].Data.Token+`"},"email":"ana@example.com","processedAt":"now","template":"userVerification"}]` {
		t.Fatalf("GET after processing: %d %s", status, listed)
	}
}

func TestBadBodiesUnknownRoutesAndABrokerThatIsAway(t *testing.T) {
	state, base := serve(t)
	if status, _ := call(t, "POST", base+"/verifications", "nope"); status != 400 {
		t.Fatalf("not JSON: %d", status)
	}
	if status, body := call(t, "POST", base+"/verifications", `{"email":"a@b.c"}`); status != 400 || body["error"] != "'name' must be a non-empty string" {
		t.Fatalf("no name: %d %v", status, body)
	}
	if status, _ := call(t, "POST", base+"/verifications", `{"email":"a@b.c","name":"`+strings.Repeat("x", maxBody)+`"}`); status != 413 {
		t.Fatalf("too large: %d", status)
	}
	if status, body := call(t, "GET", base+"/nothing", ""); status != 404 || body["error"] != "no route for GET /nothing" {
		t.Fatalf("unknown route: %d %v", status, body)
	}
	state.update(func(s *fakeState) { s.failPublish = errors.New("not connected to RabbitMQ yet") })
	if status, body := call(t, "POST", base+"/verifications", `{"email":"a@b.c","name":"A"}`); status != 503 || !strings.Contains(body["error"].(string), "not connected") {
		t.Fatalf("broker away: %d %v", status, body)
	}
}

func TestHealthProbesAreNotTracedWithOrWithoutThePrefix(t *testing.T) {
	cfg, err := parseConfig(env(minimal), "test")
	if err != nil {
		t.Fatal(err)
	}
	traced := tracedRequest(cfg)
	for path, want := range map[string]bool{
		"/healthz": false, "/readyz": false, "/orders/healthz": false, "/orders/readyz": false,
		"/": true, "/orders": true, "/verifications": true, "/orders/verifications": true, "/healthzx": true,
	} {
		if got := traced(httptest.NewRequest(http.MethodGet, path, nil)); got != want {
			t.Errorf("%s traced: %v, want %v", path, got, want)
		}
	}
}
