package register

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// KongRegistration is one Kong Service and its Route, both named Name. This replaces the original
// platform's calls to Kong's `/apis` (gone since Kong 1.0).
type KongRegistration struct {
	// AdminURL is Kong's Admin API, e.g. http://kong:8001.
	AdminURL string
	// Name names the Kong Service and its Route.
	Name string
	// Host is the upstream host; default <name>.service.consul, which Kong resolves through Consul DNS
	// (the SRV answer gives the port).
	Host string
	// Port is the upstream port; with Consul DNS an SRV answer replaces it, but Kong needs one.
	Port int
	// Paths are the Route's path prefixes, each starting with '/'.
	Paths []string
	Hosts []string
	// KeepPath forwards the matched prefix too (Kong's strip_path false). The default, false, strips
	// it, as Kong does by default.
	KeepPath bool
	Tags     []string
}

// KongRegistrationResult holds the ids Kong gave the Service and the Route.
type KongRegistrationResult struct {
	ServiceID string
	RouteID   string
}

type kongService struct {
	Name     string   `json:"name"`
	Protocol string   `json:"protocol"`
	Host     string   `json:"host"`
	Port     int      `json:"port"`
	Tags     []string `json:"tags,omitempty"`
}

type kongRoute struct {
	Name      string            `json:"name"`
	Service   map[string]string `json:"service"`
	Protocols []string          `json:"protocols"`
	Paths     []string          `json:"paths"`
	Hosts     []string          `json:"hosts,omitempty"`
	StripPath bool              `json:"strip_path"`
	Tags      []string          `json:"tags,omitempty"`
}

type kongEntity struct {
	ID *string `json:"id"`
}

// RegisterOnKong upserts the Service, then the Route on it, both with PUT by name: idempotent, so
// every replica and every restart can run it again.
func RegisterOnKong(ctx context.Context, r KongRegistration) (KongRegistrationResult, error) {
	for _, path := range r.Paths {
		if !strings.HasPrefix(path, "/") {
			return KongRegistrationResult{}, fmt.Errorf("Kong route paths start with '/': got '%s'", path)
		}
	}
	host := r.Host
	if host == "" {
		host = r.Name + ".service.consul"
	}
	name := url.PathEscape(r.Name)
	serviceURL, routeURL := joinURL(r.AdminURL, "/services/"+name), joinURL(r.AdminURL, "/routes/"+name)
	var service kongEntity
	err := callJSON(ctx, "PUT", serviceURL, callOptions{
		body: kongService{Name: r.Name, Protocol: "http", Host: host, Port: r.Port, Tags: r.Tags},
	}, &service)
	if err != nil {
		return KongRegistrationResult{}, err
	}
	if service.ID == nil {
		return KongRegistrationResult{}, withoutID(serviceURL, "service")
	}
	// The Route names its Service by the id Kong just returned: the form every Kong 3.x accepts,
	// while {name} references depend on the version.
	var route kongEntity
	err = callJSON(ctx, "PUT", routeURL, callOptions{
		body: kongRoute{
			Name:      r.Name,
			Service:   map[string]string{"id": *service.ID},
			Protocols: []string{"http", "https"},
			Paths:     nonNil(r.Paths),
			Hosts:     r.Hosts,
			StripPath: !r.KeepPath,
			Tags:      r.Tags,
		},
	}, &route)
	if err != nil {
		return KongRegistrationResult{}, err
	}
	if route.ID == nil {
		return KongRegistrationResult{}, withoutID(routeURL, "route")
	}
	return KongRegistrationResult{ServiceID: *service.ID, RouteID: *route.ID}, nil
}

// UnregisterFromKong removes the Route, then the Service (Kong refuses to delete a Service a Route
// still points at). Kong answers DELETE with 204 also when the entity is absent; a 404 counts as gone.
func UnregisterFromKong(ctx context.Context, adminURL, name string) error {
	escaped := url.PathEscape(name)
	gone := callOptions{alsoOk: []int{404}}
	if err := callJSON(ctx, "DELETE", joinURL(adminURL, "/routes/"+escaped), gone, nil); err != nil {
		return err
	}
	return callJSON(ctx, "DELETE", joinURL(adminURL, "/services/"+escaped), gone, nil)
}

func withoutID(url, what string) error {
	return &RegistrationError{Method: "PUT", URL: url, message: fmt.Sprintf("PUT %s: Kong answered the %s upsert without an id", url, what)}
}

func nonNil(values []string) []string {
	if values == nil {
		return []string{}
	}
	return values
}
