// The HTTP API: health, a sample endpoint and the verification flow. Paths are answered with or without
// the route prefix (see localPath), so it works through Kong and when called directly.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
)

const maxBody = 64 * 1024

type processedMessage struct {
	verificationMessage
	ProcessedAt string `json:"processedAt"`
}

type appState interface {
	// healthy: this instance can serve (RabbitMQ connected). GET /healthz, Consul's check. It must not
	// depend on the registrations, or Consul would mark a fresh instance critical until its next check.
	healthy() bool
	// ready: healthy and registered on Consul and Kong. GET /readyz, what 'mkdev up' waits for.
	ready() bool
	publish(ctx context.Context, message verificationMessage) error
	processed() []processedMessage
}

func send(w http.ResponseWriter, status int, body any) {
	encoded, err := json.Marshal(body)
	if err != nil {
		status, encoded = http.StatusInternalServerError, []byte(`{"error":"could not encode the answer"}`)
	}
	w.Header().Set("content-type", "application/json")
	w.Header().Set("content-length", fmt.Sprint(len(encoded)))
	w.WriteHeader(status)
	_, _ = w.Write(encoded)
}

func newHTTPHandler(cfg config, state appState) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := localPath(cfg.RoutePath, r.URL.Path)
		switch r.Method + " " + path {
		case "GET /healthz", "GET /readyz":
			ok := state.healthy()
			if path == "/readyz" {
				ok = state.ready()
			}
			status, text := http.StatusOK, "ok"
			if !ok {
				status, text = http.StatusServiceUnavailable, "starting"
			}
			send(w, status, map[string]string{"status": text, "instance": cfg.InstanceID})
		case "GET /":
			send(w, http.StatusOK, map[string]string{
				"service":  cfg.ServiceName,
				"instance": cfg.InstanceID,
				"message":  "hello from " + cfg.ServiceName,
			})
		case "POST /verifications":
			postVerification(w, r, cfg, state)
		case "GET /verifications":
			send(w, http.StatusOK, map[string]any{"processed": state.processed()})
		default:
			send(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path)})
		}
	})
}

// tracedRequest says which requests get a server span: all but the health probes (Consul's check every
// 2 s, and mkdev's readiness waits, would bury the requests in the traces).
func tracedRequest(cfg config) func(*http.Request) bool {
	return func(r *http.Request) bool {
		path := localPath(cfg.RoutePath, r.URL.Path)
		return path != "/healthz" && path != "/readyz"
	}
}

func postVerification(w http.ResponseWriter, r *http.Request, cfg config, state appState) {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		send(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "body too large"})
		return
	}
	var body any
	if err == nil {
		err = json.Unmarshal(raw, &body)
	}
	if err != nil {
		send(w, http.StatusBadRequest, map[string]string{"error": "expected a JSON body: " + err.Error()})
		return
	}
	request, problem := parseVerificationRequest(body)
	if problem != "" {
		send(w, http.StatusBadRequest, map[string]string{"error": problem})
		return
	}
	token := newToken()
	if err := state.publish(r.Context(), newVerificationMessage(request, token)); err != nil {
		send(w, http.StatusServiceUnavailable, map[string]string{"error": "could not queue the message: " + err.Error()})
		return
	}
	send(w, http.StatusAccepted, map[string]any{"queued": true, "queue": cfg.VerificationQueue, "token": token})
}
