// Request shapes and error handling against a small in-process fake server (register.test.ts and
// test_mkdev_register.py hold the same cases for the TypeScript and Python libraries).
package register

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

type seen struct {
	Method string
	Path   string
	Body   any
}

type fake struct {
	*httptest.Server
	mu    sync.Mutex
	seen  []seen
	reply func(method, path string) (int, string)
}

func newFake(t *testing.T) *fake {
	f := &fake{reply: func(_, path string) (int, string) {
		if strings.HasPrefix(path, "/services") {
			return 200, `{"id":"svc-id"}`
		}
		return 200, `{"id":"route-id"}`
	}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body any
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Errorf("%s %s: body is not JSON: %q", r.Method, r.URL.Path, raw)
			}
		}
		f.mu.Lock()
		f.seen = append(f.seen, seen{r.Method, r.URL.Path, body})
		reply := f.reply
		f.mu.Unlock()
		status, text := reply(r.Method, r.URL.Path)
		if text != "" && strings.HasPrefix(text, "{") {
			w.Header().Set("content-type", "application/json")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, text)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.seen...)
}

// asJSON round-trips v through JSON, so expectations compare as the server decoded them.
func asJSON(t *testing.T, v any) any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func expectRequests(t *testing.T, got []seen, want []seen) {
	t.Helper()
	for i := range want {
		want[i].Body = asJSON(t, want[i].Body)
		if want[i].Body == nil {
			want[i].Body = nil
		}
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Fatalf("requests:\n%s\nwant:\n%s", g, w)
	}
}

func TestRegisterOnKongUpsertsTheServiceThenARouteByName(t *testing.T) {
	f := newFake(t)
	result, err := RegisterOnKong(context.Background(), KongRegistration{AdminURL: f.URL + "/", Name: "orders", Port: 8080, Paths: []string{"/orders"}})
	if err != nil {
		t.Fatal(err)
	}
	if result != (KongRegistrationResult{ServiceID: "svc-id", RouteID: "route-id"}) {
		t.Fatalf("result %+v", result)
	}
	expectRequests(t, f.requests(), []seen{
		{"PUT", "/services/orders", map[string]any{"name": "orders", "protocol": "http", "host": "orders.service.consul", "port": 8080}},
		{"PUT", "/routes/orders", map[string]any{
			"name": "orders", "service": map[string]any{"id": "svc-id"}, "protocols": []string{"http", "https"},
			"paths": []string{"/orders"}, "strip_path": true,
		}},
	})
}

func TestRegisterOnKongPassesHostHostsTagsAndKeepPath(t *testing.T) {
	f := newFake(t)
	_, err := RegisterOnKong(context.Background(), KongRegistration{
		AdminURL: f.URL, Name: "users", Host: "users.internal", Port: 9000, Paths: []string{"/users", "/accounts"},
		Hosts: []string{"api.local"}, KeepPath: true, Tags: []string{"mkdev"},
	})
	if err != nil {
		t.Fatal(err)
	}
	expectRequests(t, f.requests(), []seen{
		{"PUT", "/services/users", map[string]any{"name": "users", "protocol": "http", "host": "users.internal", "port": 9000, "tags": []string{"mkdev"}}},
		{"PUT", "/routes/users", map[string]any{
			"name": "users", "service": map[string]any{"id": "svc-id"}, "protocols": []string{"http", "https"},
			"paths": []string{"/users", "/accounts"}, "hosts": []string{"api.local"}, "strip_path": false, "tags": []string{"mkdev"},
		}},
	})
}

func TestRegisterOnKongReportsKongsStatusAndErrorBody(t *testing.T) {
	f := newFake(t)
	f.reply = func(string, string) (int, string) {
		return 400, `{"code":2,"name":"schema violation","message":"schema violation (port: value should be between 0 and 65535)","fields":{"port":"value should be between 0 and 65535"}}`
	}
	_, err := RegisterOnKong(context.Background(), KongRegistration{AdminURL: f.URL, Name: "x", Port: 70000, Paths: []string{"/x"}})
	var registration *RegistrationError
	if !errors.As(err, &registration) || registration.Status != 400 || StatusOf(err) != 400 {
		t.Fatalf("want a RegistrationError with status 400, got %#v", err)
	}
	want := "PUT " + f.URL + `/services/x answered 400: schema violation (port: value should be between 0 and 65535) {"port":"value should be between 0 and 65535"}`
	if err.Error() != want {
		t.Fatalf("message\n%s\nwant\n%s", err, want)
	}
	if RetryUnlessBadRequest(err) {
		t.Fatal("a 400 must not be retried")
	}
}

func TestRegisterOnKongRefusesAPathWithoutALeadingSlashBeforeCallingKong(t *testing.T) {
	f := newFake(t)
	_, err := RegisterOnKong(context.Background(), KongRegistration{AdminURL: f.URL, Name: "x", Port: 1, Paths: []string{"x"}})
	if err == nil || !strings.Contains(err.Error(), "start with '/'") {
		t.Fatalf("got %v", err)
	}
	if len(f.requests()) != 0 {
		t.Fatalf("called Kong: %v", f.requests())
	}
}

func TestAnUnreachableAPIIsARegistrationErrorWithoutStatus(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	adminURL := "http://" + listener.Addr().String()
	listener.Close()
	_, err = RegisterOnKong(context.Background(), KongRegistration{AdminURL: adminURL, Name: "x", Port: 1, Paths: []string{"/x"}})
	var registration *RegistrationError
	if !errors.As(err, &registration) || registration.Status != 0 {
		t.Fatalf("want a RegistrationError without status, got %#v", err)
	}
	if !strings.HasPrefix(err.Error(), "PUT "+adminURL+"/services/x failed: ") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("message %q", err)
	}
	if !RetryUnlessBadRequest(err) {
		t.Fatal("no answer yet must be retried")
	}
}

func TestUnregisterFromKongDeletesTheRouteThenTheServiceAbsentOnesCountAsGone(t *testing.T) {
	f := newFake(t)
	f.reply = func(_, path string) (int, string) {
		if strings.HasPrefix(path, "/routes") {
			return 204, ""
		}
		return 404, `{"message":"Not found"}`
	}
	if err := UnregisterFromKong(context.Background(), f.URL, "orders"); err != nil {
		t.Fatal(err)
	}
	expectRequests(t, f.requests(), []seen{{"DELETE", "/routes/orders", nil}, {"DELETE", "/services/orders", nil}})
}

func TestRegisterOnConsulWithAnHTTPCheck(t *testing.T) {
	f := newFake(t)
	f.reply = func(string, string) (int, string) { return 200, "" }
	err := RegisterOnConsul(context.Background(), ConsulRegistration{
		ConsulURL: f.URL, ID: "orders-abc", Name: "orders", Address: "172.18.0.5", Port: 8080,
		Tags: []string{"mkdev"}, Meta: map[string]string{"version": "1"},
		Check: ConsulCheck{HTTP: "http://172.18.0.5:8080/healthz", Interval: "2s", Timeout: "1s", DeregisterCriticalServiceAfter: "1m", Status: "passing"},
	})
	if err != nil {
		t.Fatal(err)
	}
	expectRequests(t, f.requests(), []seen{{"PUT", "/v1/agent/service/register", map[string]any{
		"ID": "orders-abc", "Name": "orders", "Address": "172.18.0.5", "Port": 8080, "Tags": []string{"mkdev"},
		"Meta": map[string]string{"version": "1"},
		"Check": map[string]any{
			"HTTP": "http://172.18.0.5:8080/healthz", "Interval": "2s", "Timeout": "1s",
			"DeregisterCriticalServiceAfter": "1m", "Status": "passing",
		},
	}}})
}

func TestRegisterOnConsulWithATCPCheck(t *testing.T) {
	f := newFake(t)
	f.reply = func(string, string) (int, string) { return 200, "" }
	err := RegisterOnConsul(context.Background(), ConsulRegistration{
		ConsulURL: f.URL, ID: "a", Name: "a", Address: "10.0.0.1", Port: 1,
		Check: ConsulCheck{TCP: "10.0.0.1:1", Interval: "5s", Timeout: "1s", DeregisterCriticalServiceAfter: "2m"},
	})
	if err != nil {
		t.Fatal(err)
	}
	expectRequests(t, f.requests(), []seen{{"PUT", "/v1/agent/service/register", map[string]any{
		"ID": "a", "Name": "a", "Address": "10.0.0.1", "Port": 1,
		"Check": map[string]any{"TCP": "10.0.0.1:1", "Interval": "5s", "Timeout": "1s", "DeregisterCriticalServiceAfter": "2m"},
	}}})
}

func TestAConsulCheckNamesExactlyOneOfHTTPOrTCP(t *testing.T) {
	f := newFake(t)
	for _, check := range []ConsulCheck{{}, {HTTP: "http://x/", TCP: "x:1"}} {
		err := RegisterOnConsul(context.Background(), ConsulRegistration{ConsulURL: f.URL, ID: "a", Name: "a", Address: "x", Port: 1, Check: check})
		if err == nil || !strings.Contains(err.Error(), "exactly one of HTTP or TCP") {
			t.Fatalf("%+v: got %v", check, err)
		}
	}
	if len(f.requests()) != 0 {
		t.Fatalf("called Consul: %v", f.requests())
	}
}

func TestDeregisterFromConsulTreats404AsAlreadyGone(t *testing.T) {
	f := newFake(t)
	f.reply = func(string, string) (int, string) {
		return 404, `Unknown service ID "orders-abc". Ensure that the service ID is passed, not the service name.`
	}
	if err := DeregisterFromConsul(context.Background(), f.URL, "orders-abc"); err != nil {
		t.Fatal(err)
	}
	expectRequests(t, f.requests(), []seen{{"PUT", "/v1/agent/service/deregister/orders-abc", nil}})
}

func TestConsulsTextErrorComesWithItsStatus(t *testing.T) {
	f := newFake(t)
	f.reply = func(string, string) (int, string) { return 400, "Invalid check: TTL must be > 0 for TTL checks" }
	err := RegisterOnConsul(context.Background(), ConsulRegistration{
		ConsulURL: f.URL, ID: "a", Name: "a", Address: "x", Port: 1,
		Check: ConsulCheck{TCP: "x:1", Interval: "1s", Timeout: "1s", DeregisterCriticalServiceAfter: "1m"},
	})
	if StatusOf(err) != 400 || !strings.HasSuffix(err.Error(), "answered 400: Invalid check: TTL must be > 0 for TTL checks") {
		t.Fatalf("got %v", err)
	}
}

func TestWithRetryBacksOffExponentiallyUntilItSucceeds(t *testing.T) {
	var delays []time.Duration
	value, err := WithRetry(context.Background(), RetryOptions{
		Attempts: 5, InitialDelay: 5 * time.Millisecond, MaxDelay: 15 * time.Millisecond,
		OnRetry: func(_ error, _ int, d time.Duration) { delays = append(delays, d) },
	}, func(attempt int) (int, error) {
		if attempt < 4 {
			return 0, errors.New("not yet")
		}
		return attempt, nil
	})
	if err != nil || value != 4 {
		t.Fatalf("got %v, %v", value, err)
	}
	want := []time.Duration{5 * time.Millisecond, 10 * time.Millisecond, 15 * time.Millisecond}
	if !reflect.DeepEqual(delays, want) {
		t.Fatalf("delays %v, want %v", delays, want)
	}
}

func TestWithRetryGivesUpAfterTheAttemptsWithTheLastError(t *testing.T) {
	calls := 0
	_, err := WithRetry(context.Background(), RetryOptions{Attempts: 3, InitialDelay: time.Millisecond}, func(int) (struct{}, error) {
		calls++
		return struct{}{}, errors.New("fail " + string(rune('0'+calls)))
	})
	if err == nil || err.Error() != "fail 3" || calls != 3 {
		t.Fatalf("got %v after %d calls", err, calls)
	}
}

func TestWithRetryGivesUpOnceTheTimeoutHasPassed(t *testing.T) {
	started := time.Now()
	calls := 0
	_, err := WithRetry(context.Background(), RetryOptions{Timeout: 120 * time.Millisecond, InitialDelay: 20 * time.Millisecond, MaxDelay: 40 * time.Millisecond},
		func(int) (int, error) { calls++; return 0, errors.New("down") })
	if err == nil || err.Error() != "down" {
		t.Fatalf("got %v", err)
	}
	if elapsed := time.Since(started); elapsed < 110*time.Millisecond {
		t.Fatalf("gave up after %v", elapsed)
	}
	// Bounded by attempts, not by the clock: waits of 20-40 ms fit at most ~7 tries into 120 ms.
	if calls < 3 || calls > 8 {
		t.Fatalf("%d calls", calls)
	}
}

func TestWithRetryStopsAtOnceWhenRetryIfSaysSo(t *testing.T) {
	calls := 0
	_, err := WithRetry(context.Background(), RetryOptions{Attempts: 5, InitialDelay: time.Millisecond, RetryIf: RetryUnlessBadRequest},
		func(int) (int, error) {
			calls++
			return 0, &RegistrationError{Status: 400, message: "bad request"}
		})
	if err == nil || err.Error() != "bad request" || calls != 1 {
		t.Fatalf("got %v after %d calls", err, calls)
	}
}

func TestWithRetryIsCutShortByCancellationDuringAWait(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	stopping := errors.New("stopping")
	calls := 0
	done := make(chan error, 1)
	go func() {
		_, err := WithRetry(ctx, RetryOptions{Attempts: 10, InitialDelay: 10 * time.Second}, func(int) (int, error) {
			calls++
			// Cancel once the first attempt failed: WithRetry is then in its 10 s wait.
			go cancel(stopping)
			return 0, errors.New("down")
		})
		done <- err
	}()
	// The order of events, not the clock: it ends with the cancellation's cause before the wait ran out.
	select {
	case err := <-done:
		if !errors.Is(err, stopping) || calls != 1 {
			t.Fatalf("got %v after %d calls", err, calls)
		}
	case <-time.After(9 * time.Second):
		t.Fatal("still waiting after 9 s")
	}
}
