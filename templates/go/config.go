// The service's configuration, from the environment only (mkdev sets it in mkdev.yaml). Pure, so it
// is unit-tested without a network.
package main

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Placeholders `mkdev new-service` replaces; the environment still wins.
const (
	defaultName      = "__SERVICE_NAME__"
	defaultPort      = "__PORT__"
	defaultRoutePath = "__ROUTE_PATH__"
)

var dnsLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

type config struct {
	ServiceName string
	// InstanceID is unique per container: <name>-<hostname>, the Consul service ID.
	InstanceID string
	Port       int
	// RoutePath is the public path prefix Kong routes to this service, e.g. /orders.
	RoutePath    string
	KongAdminURL string
	ConsulURL    string
	RabbitMQURL  string
	// VerificationQueue is the durable queue of the verification flow.
	VerificationQueue string
	// Register false (REGISTER=false) skips Kong and Consul, to run the service on its own.
	Register bool
}

func parseConfig(getenv func(string) string, hostname string) (config, error) {
	get := func(key, fallback string) string {
		if value := strings.TrimSpace(getenv(key)); value != "" {
			return value
		}
		return fallback
	}
	name := get("SERVICE_NAME", defaultName)
	if !dnsLabel.MatchString(name) {
		return config{}, fmt.Errorf("SERVICE_NAME must be a DNS label (it becomes <name>.service.consul): got '%s'", name)
	}
	portText := get("PORT", defaultPort)
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return config{}, fmt.Errorf("PORT must be a port number (1-65535): got '%s'", portText)
	}
	routePath := get("ROUTE_PATH", defaultRoutePath)
	if len(routePath) > 1 {
		if trimmed := strings.TrimRight(routePath, "/"); trimmed != "" {
			routePath = trimmed
		} else {
			routePath = "/"
		}
	}
	if !strings.HasPrefix(routePath, "/") {
		return config{}, fmt.Errorf("ROUTE_PATH must start with '/': got '%s'", routePath)
	}
	register := strings.ToLower(get("REGISTER", "true"))
	if register != "true" && register != "false" {
		return config{}, fmt.Errorf("REGISTER must be true or false: got '%s'", register)
	}
	return config{
		ServiceName:       name,
		InstanceID:        name + "-" + hostname,
		Port:              port,
		RoutePath:         routePath,
		KongAdminURL:      get("KONG_ADMIN_URL", "http://kong:8001"),
		ConsulURL:         get("CONSUL_URL", "http://consul:8500"),
		RabbitMQURL:       get("RABBITMQ_URL", "amqp://guest:guest@rabbitmq:5672"),
		VerificationQueue: name + "-verifications",
		Register:          register == "true",
	}, nil
}

// localPath drops the route prefix: Kong strips it (strip_path), so /orders/verifications arrives as
// /verifications. Called directly (its published port, or another container) the service may see the
// prefixed path: both forms are answered.
func localPath(routePath, path string) string {
	switch {
	case routePath == "/":
		return path
	case path == routePath:
		return "/"
	case strings.HasPrefix(path, routePath+"/"):
		return path[len(routePath):]
	default:
		return path
	}
}
