package register

import (
	"context"
	"errors"
	"net/url"
)

// ConsulCheck is the instance's health check: exactly one of HTTP or TCP. The original platform left
// registration to registrator and configured no checks; here each service registers itself with one,
// so Consul DNS (and so Kong) only hands out instances that answer.
type ConsulCheck struct {
	// HTTP is a URL Consul GETs, e.g. http://172.18.0.5:8080/healthz.
	HTTP string
	// TCP is a host:port Consul connects to.
	TCP string
	// Interval and Timeout in Consul's duration syntax, e.g. "2s".
	Interval string
	Timeout  string
	// DeregisterCriticalServiceAfter: Consul's minimum is 1m, reaped every 30s. Cleans up after a
	// replica that died without deregistering.
	DeregisterCriticalServiceAfter string
	// Status is the check's status until it first runs (Consul's default: critical). A service that
	// registers only once it can serve should say "passing", or it is invisible to Consul DNS, and so
	// to Kong, for up to one interval after it reported itself ready.
	Status string
}

// ConsulRegistration is this instance on the local Consul agent.
type ConsulRegistration struct {
	// ConsulURL is the agent's HTTP API, e.g. http://consul:8500.
	ConsulURL string
	// ID is unique per instance, e.g. <name>-<hostname>.
	ID   string
	Name string
	// Address is what other containers (and Kong) reach this instance on.
	Address string
	Port    int
	Tags    []string
	Meta    map[string]string
	Check   ConsulCheck
}

// ConsulServiceDefinition is the body of PUT /v1/agent/service/register, for tests and for callers
// that log it.
func ConsulServiceDefinition(r ConsulRegistration) (map[string]any, error) {
	check := r.Check
	if (check.HTTP == "") == (check.TCP == "") {
		return nil, errors.New("a Consul check names exactly one of HTTP or TCP")
	}
	definition := map[string]any{
		"ID":      r.ID,
		"Name":    r.Name,
		"Address": r.Address,
		"Port":    r.Port,
	}
	if r.Tags != nil {
		definition["Tags"] = r.Tags
	}
	if r.Meta != nil {
		definition["Meta"] = r.Meta
	}
	checkBody := map[string]any{
		"Interval":                       check.Interval,
		"Timeout":                        check.Timeout,
		"DeregisterCriticalServiceAfter": check.DeregisterCriticalServiceAfter,
	}
	if check.HTTP != "" {
		checkBody["HTTP"] = check.HTTP
	} else {
		checkBody["TCP"] = check.TCP
	}
	if check.Status != "" {
		checkBody["Status"] = check.Status
	}
	definition["Check"] = checkBody
	return definition, nil
}

// RegisterOnConsul registers this instance, with its check, on the local agent.
func RegisterOnConsul(ctx context.Context, r ConsulRegistration) error {
	definition, err := ConsulServiceDefinition(r)
	if err != nil {
		return err
	}
	return callJSON(ctx, "PUT", joinURL(r.ConsulURL, "/v1/agent/service/register"), callOptions{body: definition}, nil)
}

// DeregisterFromConsul removes this instance. Current Consul versions answer 404 "Unknown service ID"
// for an absent id: that counts as done.
func DeregisterFromConsul(ctx context.Context, consulURL, id string) error {
	return callJSON(ctx, "PUT", joinURL(consulURL, "/v1/agent/service/deregister/"+url.PathEscape(id)),
		callOptions{alsoOk: []int{404}}, nil)
}
