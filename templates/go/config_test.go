package main

import (
	"strings"
	"testing"
)

func env(values map[string]string) func(string) string {
	return func(key string) string { return values[key] }
}

var minimal = map[string]string{"SERVICE_NAME": "orders", "PORT": "8080", "ROUTE_PATH": "/orders"}

func with(key, value string) map[string]string {
	values := map[string]string{key: value}
	for k, v := range minimal {
		if k != key {
			values[k] = v
		}
	}
	return values
}

func TestParseConfigReadsTheEnvironment(t *testing.T) {
	got, err := parseConfig(env(map[string]string{
		"SERVICE_NAME": "orders", "PORT": "9000", "ROUTE_PATH": "/shop/orders/", "KONG_ADMIN_URL": "http://k:8001",
		"CONSUL_URL": "http://c:8500", "RABBITMQ_URL": "amqp://u:p@r:5672",
	}), "abc123")
	if err != nil {
		t.Fatal(err)
	}
	want := config{
		ServiceName: "orders", InstanceID: "orders-abc123", Port: 9000, RoutePath: "/shop/orders",
		KongAdminURL: "http://k:8001", ConsulURL: "http://c:8500", RabbitMQURL: "amqp://u:p@r:5672",
		VerificationQueue: "orders-verifications", Register: true,
	}
	if got != want {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

func TestParseConfigDefaultsToTheStacksServiceNames(t *testing.T) {
	got, err := parseConfig(env(minimal), "h")
	if err != nil {
		t.Fatal(err)
	}
	if got.KongAdminURL != "http://kong:8001" || got.ConsulURL != "http://consul:8500" || got.RabbitMQURL != "amqp://guest:guest@rabbitmq:5672" {
		t.Fatalf("got %+v", got)
	}
}

func TestParseConfigCanRunWithoutRegistering(t *testing.T) {
	got, err := parseConfig(env(with("REGISTER", "FALSE")), "h")
	if err != nil || got.Register {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestParseConfigRefusesBadValuesNamingTheVariable(t *testing.T) {
	for _, c := range []struct{ key, value string }{
		{"PORT", "70000"}, {"PORT", "x"}, {"ROUTE_PATH", "a"}, {"SERVICE_NAME", "Bad_Name"}, {"REGISTER", "maybe"},
	} {
		_, err := parseConfig(env(with(c.key, c.value)), "h")
		if err == nil || !strings.HasPrefix(err.Error(), c.key) {
			t.Errorf("%s=%s: got %v", c.key, c.value, err)
		}
	}
}

func TestLocalPathDropsTheRoutePrefixWhenPresent(t *testing.T) {
	for _, c := range []struct{ route, path, want string }{
		{"/orders", "/orders", "/"},
		{"/orders", "/orders/verifications", "/verifications"},
		{"/orders", "/verifications", "/verifications"},
		{"/orders", "/ordersx", "/ordersx"},
		{"/", "/healthz", "/healthz"},
	} {
		if got := localPath(c.route, c.path); got != c.want {
			t.Errorf("localPath(%q, %q) = %q, want %q", c.route, c.path, got, c.want)
		}
	}
}
