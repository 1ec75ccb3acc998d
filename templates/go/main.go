// Starts the service: HTTP first (so Consul's check can reach /healthz), then RabbitMQ, and only once
// connected to it the registrations on Consul and Kong (so its check may start as passing). SIGTERM
// or SIGINT deregisters from Consul, lets requests in flight finish and exits 0 within ~3 s.
// Traces (tracing/) go to OTEL_EXPORTER_OTLP_ENDPOINT when it is set; log lines written in a request
// or a delivery carry its trace_id.
package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"__SERVICE_NAME__/tracing"
)

func main() {
	os.Exit(run())
}

// service is the state the HTTP API reads: the RabbitMQ connection, the registrations, and the
// verifications processed so far (in memory).
type service struct {
	messaging  *messaging
	log        *slog.Logger
	registered atomic.Bool
	mu         sync.Mutex
	list       []processedMessage
}

func (s *service) healthy() bool { return s.messaging.connected() }
func (s *service) ready() bool   { return s.registered.Load() && s.messaging.connected() }
func (s *service) publish(ctx context.Context, message verificationMessage) error {
	s.log.InfoContext(ctx, "queueing verification", "email", message.Email)
	return s.messaging.publish(ctx, message)
}

func (s *service) processed() []processedMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]processedMessage{}, s.list...)
}

func (s *service) record(message verificationMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.list = append(s.list, processedMessage{verificationMessage: message, ProcessedAt: time.Now().UTC().Format(time.RFC3339Nano)})
}

func run() int {
	// Structured logs: one JSON object per line (mkdev logs and the dashboard read its "level"), with
	// the trace_id of the request or delivery they were written in (log.InfoContext).
	log := slog.New(tracing.LogHandler(slog.NewJSONHandler(os.Stdout, nil)))
	hostname, _ := os.Hostname()
	cfg, err := parseConfig(os.Getenv, hostname)
	if err != nil {
		log.Error("bad configuration", "error", err.Error())
		return 1
	}
	log = log.With("service", cfg.ServiceName, "instance", cfg.InstanceID)
	// nil (tracing off) when OTEL_EXPORTER_OTLP_ENDPOINT is not set: every tracing call is then a no-op.
	tracer := tracing.FromEnv(os.Getenv, cfg.ServiceName, log)
	address := os.Getenv("SERVICE_ADDRESS")
	if address == "" {
		addresses, _ := net.InterfaceAddrs()
		if address, err = ownAddress(addresses); err != nil {
			log.Error("no address to register", "error", err.Error())
			return 1
		}
	}
	// Installed before anything slow: SIGTERM (docker stop, mkdev down) or SIGINT (Ctrl-C under
	// mkdev run) starts the shutdown below.
	stopping, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	state := &service{log: log}
	state.messaging = newMessaging(cfg.RabbitMQURL, cfg.VerificationQueue, cfg.InstanceID, func(ctx context.Context, message verificationMessage) {
		state.record(message)
		log.InfoContext(ctx, "processed verification", "email", message.Email)
	}, log, tracer)

	// BIND_ADDRESS: `mkdev run` listens on the project network's gateway only; a container on all
	// interfaces.
	listener, err := net.Listen("tcp", hostPort(os.Getenv("BIND_ADDRESS"), cfg.Port))
	if err != nil {
		log.Error("cannot listen", "error", err.Error())
		return 1
	}
	// A server span per request, continuing the caller's traceparent (Kong's).
	handler := tracer.Middleware(newHTTPHandler(cfg, state), tracedRequest(cfg))
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := server.Serve(listener); !errors.Is(err, http.ErrServerClosed) {
			log.Error("HTTP server stopped", "error", err.Error())
		}
	}()
	log.Info("listening", "address", hostPort(address, cfg.Port), "route", cfg.RoutePath)

	// Its own context: RabbitMQ stays connected until requests in flight have finished.
	connected, disconnect := context.WithCancel(context.Background())
	messagingDone := make(chan struct{})
	go func() {
		defer close(messagingDone)
		state.messaging.run(connected)
	}()

	var onConsul atomic.Bool
	failed := make(chan error, 1)
	if cfg.Register {
		go func() {
			// Registered only once it can serve, so its Consul check may honestly start as passing.
			if state.messaging.waitConnected(stopping) != nil {
				return
			}
			onConsul.Store(true) // from the first attempt on: a half-done registration is undone too
			if err := registerService(stopping, cfg, address, log); err != nil {
				if stopping.Err() == nil {
					failed <- err
				}
				return
			}
			state.registered.Store(true)
		}()
	} else {
		state.registered.Store(true)
	}

	code := 0
	select {
	case <-stopping.Done():
		log.Info("stopping: deregistering from Consul", "cause", "signal")
	case err := <-failed:
		log.Error("registration failed", "error", err.Error())
		code = 1
	}
	stop() // a second signal now ends the process at once (Go's default)
	if onConsul.Load() {
		if err := deregisterService(cfg); err != nil {
			log.Warn("Consul deregistration failed", "error", err.Error())
		} else {
			log.Info("deregistered from Consul")
		}
	}
	// Never wait long: Docker kills the container 10 s after SIGTERM.
	drain, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = server.Shutdown(drain)
	disconnect()
	<-messagingDone
	// The last requests' spans are still batched: sent now, within a second (the receiver may be gone).
	flush, cancelFlush := context.WithTimeout(context.Background(), time.Second)
	defer cancelFlush()
	_ = tracer.Shutdown(flush)
	return code
}

func hostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}
