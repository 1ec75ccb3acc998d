// Registers this instance on Consul (address + health check) and on Kong (public route), retrying
// while they come up: the stack starts them alongside the service.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	register "mkdev/register"
)

func registerService(ctx context.Context, cfg config, address string, log *slog.Logger) error {
	retry := func(what string) register.RetryOptions {
		return register.RetryOptions{
			Timeout:      2 * time.Minute,
			InitialDelay: 200 * time.Millisecond,
			MaxDelay:     3 * time.Second,
			// A 400 (Kong's schema violation, Consul's invalid definition) will not fix itself.
			RetryIf: register.RetryUnlessBadRequest,
			OnRetry: func(err error, attempt int, delay time.Duration) {
				log.Info(what+" not reachable yet; retrying", "attempt", attempt, "error", err.Error(), "retry_in", delay.String())
			},
		}
	}
	_, err := register.WithRetry(ctx, retry("Consul"), func(int) (struct{}, error) {
		return struct{}{}, register.RegisterOnConsul(ctx, register.ConsulRegistration{
			ConsulURL: cfg.ConsulURL,
			ID:        cfg.InstanceID,
			Name:      cfg.ServiceName,
			Address:   address,
			Port:      cfg.Port,
			Tags:      []string{"mkdev"},
			Check: register.ConsulCheck{
				HTTP:     fmt.Sprintf("http://%s/healthz", hostPort(address, cfg.Port)),
				Interval: "2s",
				Timeout:  "1s",
				// Consul's minimum: a replica killed without deregistering disappears a minute later.
				DeregisterCriticalServiceAfter: "1m",
				// It registers only once connected to RabbitMQ, so /healthz already answers 200: visible
				// to Consul DNS (and Kong) at once instead of after the first check.
				Status: "passing",
			},
		})
	})
	if err != nil {
		return err
	}
	log.Info("registered on Consul", "id", cfg.InstanceID, "address", hostPort(address, cfg.Port))
	// One Kong Service + Route per service name, shared by every replica: PUT by name is idempotent.
	upstream := cfg.ServiceName + ".service.consul"
	_, err = register.WithRetry(ctx, retry("Kong"), func(int) (register.KongRegistrationResult, error) {
		return register.RegisterOnKong(ctx, register.KongRegistration{
			AdminURL: cfg.KongAdminURL,
			Name:     cfg.ServiceName,
			Host:     upstream,
			Port:     cfg.Port,
			Paths:    []string{cfg.RoutePath},
			Tags:     []string{"mkdev"},
		})
	})
	if err != nil {
		return err
	}
	log.Info("registered on Kong", "route", cfg.RoutePath, "upstream", hostPort(upstream, cfg.Port))
	return nil
}

// deregisterService takes only this instance out of Consul. The Kong Service and Route stay: other
// replicas share them, and Consul DNS stops handing out this instance at once, so Kong stops routing
// to it.
func deregisterService(cfg config) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return register.DeregisterFromConsul(ctx, cfg.ConsulURL, cfg.InstanceID)
}
