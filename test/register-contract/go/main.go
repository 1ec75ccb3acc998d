// The contract driver for the Go mkdev/register (see test/register-contract.docker.test.ts): runs the
// steps given as JSON in os.Args[1] and prints one JSON result per step, in the shape every language's
// driver prints.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	register "mkdev/register"
)

type step struct {
	Op    string          `json:"op"`
	Args  json.RawMessage `json:"args"`
	Retry *struct {
		Attempts       int `json:"attempts"`
		TimeoutMs      int `json:"timeoutMs"`
		InitialDelayMs int `json:"initialDelayMs"`
		MaxDelayMs     int `json:"maxDelayMs"`
	} `json:"retry"`
}

type args struct {
	AdminURL  string            `json:"adminUrl"`
	ConsulURL string            `json:"consulUrl"`
	Name      string            `json:"name"`
	Host      string            `json:"host"`
	Port      int               `json:"port"`
	Paths     []string          `json:"paths"`
	Hosts     []string          `json:"hosts"`
	StripPath *bool             `json:"stripPath"`
	Tags      []string          `json:"tags"`
	ID        string            `json:"id"`
	Address   string            `json:"address"`
	Meta      map[string]string `json:"meta"`
	Check     struct {
		HTTP                           string `json:"http"`
		TCP                            string `json:"tcp"`
		Interval                       string `json:"interval"`
		Timeout                        string `json:"timeout"`
		DeregisterCriticalServiceAfter string `json:"deregisterCriticalServiceAfter"`
		Status                         string `json:"status"`
	} `json:"check"`
}

func call(ctx context.Context, op string, a args) (any, error) {
	switch op {
	case "registerOnKong":
		result, err := register.RegisterOnKong(ctx, register.KongRegistration{
			AdminURL: a.AdminURL, Name: a.Name, Host: a.Host, Port: a.Port, Paths: a.Paths, Hosts: a.Hosts,
			KeepPath: a.StripPath != nil && !*a.StripPath, Tags: a.Tags,
		})
		if err != nil {
			return nil, err
		}
		return map[string]string{"serviceId": result.ServiceID, "routeId": result.RouteID}, nil
	case "unregisterFromKong":
		return nil, register.UnregisterFromKong(ctx, a.AdminURL, a.Name)
	case "registerOnConsul":
		return nil, register.RegisterOnConsul(ctx, register.ConsulRegistration{
			ConsulURL: a.ConsulURL, ID: a.ID, Name: a.Name, Address: a.Address, Port: a.Port, Tags: a.Tags, Meta: a.Meta,
			Check: register.ConsulCheck(a.Check),
		})
	case "deregisterFromConsul":
		return nil, register.DeregisterFromConsul(ctx, a.ConsulURL, a.ID)
	}
	return nil, fmt.Errorf("unknown op %s", op)
}

func main() {
	var steps []step
	if err := json.Unmarshal([]byte(os.Args[1]), &steps); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	ctx := context.Background()
	for _, s := range steps {
		var a args
		if err := json.Unmarshal(s.Args, &a); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		attempts, delays := 0, []int64{}
		once := func(int) (any, error) {
			attempts++
			return call(ctx, s.Op, a)
		}
		var value any
		var err error
		if s.Retry != nil {
			value, err = register.WithRetry(ctx, register.RetryOptions{
				Attempts:     s.Retry.Attempts,
				Timeout:      time.Duration(s.Retry.TimeoutMs) * time.Millisecond,
				InitialDelay: time.Duration(s.Retry.InitialDelayMs) * time.Millisecond,
				MaxDelay:     time.Duration(s.Retry.MaxDelayMs) * time.Millisecond,
				RetryIf:      register.RetryUnlessBadRequest,
				OnRetry:      func(_ error, _ int, d time.Duration) { delays = append(delays, d.Milliseconds()) },
			}, once)
		} else {
			value, err = once(1)
		}
		result := map[string]any{"ok": err == nil, "value": value, "attempts": attempts, "delaysMs": delays}
		if err != nil {
			var registration *register.RegistrationError
			isRegistration := errors.As(err, &registration)
			var status any
			if isRegistration && registration.Status != 0 {
				status = registration.Status
			}
			result = map[string]any{
				"ok": false, "registrationError": isRegistration, "status": status, "message": err.Error(),
				"attempts": attempts, "delaysMs": delays,
			}
		}
		line, _ := json.Marshal(result)
		fmt.Println(string(line))
	}
}
