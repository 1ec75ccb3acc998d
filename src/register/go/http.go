package register

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// RegistrationError is a registration call that was answered with an unexpected status, or that got
// no answer at all (Status 0: connection refused, DNS, timeout).
type RegistrationError struct {
	Method string
	URL    string
	// Status is the HTTP status, or 0 when no answer came.
	Status int
	// Body is the response body as text, when there was one.
	Body string
	// Err is why no answer came (Status 0), or a malformed answer.
	Err     error
	message string
}

func (e *RegistrationError) Error() string { return e.message }

func (e *RegistrationError) Unwrap() error { return e.Err }

// StatusOf returns the HTTP status of a *RegistrationError in err's chain, or 0.
func StatusOf(err error) int {
	var registration *RegistrationError
	if errors.As(err, &registration) {
		return registration.Status
	}
	return 0
}

// DefaultRequestTimeout bounds one call: a hung Kong or Consul must not hang a service's start-up.
const DefaultRequestTimeout = 10 * time.Second

type callOptions struct {
	body any
	// alsoOk are statuses that count as success besides 2xx (e.g. 404 for a deregister of something gone).
	alsoOk []int
}

func joinURL(base, path string) string {
	return strings.TrimRight(base, "/") + path
}

// describeBody keeps Kong's `{message, fields}` or Consul's plain text, short.
func describeBody(text string) string {
	var parsed struct {
		Message *string         `json:"message"`
		Fields  json.RawMessage `json:"fields"`
	}
	if json.Unmarshal([]byte(text), &parsed) == nil && parsed.Message != nil {
		if len(parsed.Fields) == 0 || string(parsed.Fields) == "null" {
			return *parsed.Message
		}
		var compact bytes.Buffer
		if json.Compact(&compact, parsed.Fields) == nil {
			return *parsed.Message + " " + compact.String()
		}
		return *parsed.Message
	}
	text = strings.TrimSpace(text)
	if len(text) > 500 {
		text = text[:500]
	}
	return text
}

// callJSON makes one request with a JSON body (if any) and decodes a JSON answer into out (if not nil).
func callJSON(ctx context.Context, method, url string, options callOptions, out any) error {
	var body io.Reader
	if options.body != nil {
		encoded, err := json.Marshal(options.body)
		if err != nil {
			return err
		}
		body = bytes.NewReader(encoded)
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultRequestTimeout)
	defer cancel()
	request, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return &RegistrationError{Method: method, URL: url, Err: err, message: fmt.Sprintf("%s %s failed: %v", method, url, err)}
	}
	if options.body != nil {
		request.Header.Set("content-type", "application/json")
	}
	response, err := http.DefaultClient.Do(request)
	if err != nil {
		return &RegistrationError{Method: method, URL: url, Err: err, message: fmt.Sprintf("%s %s failed: %s", method, url, reason(err))}
	}
	defer response.Body.Close()
	raw, err := io.ReadAll(response.Body)
	if err != nil {
		return &RegistrationError{Method: method, URL: url, Err: err, message: fmt.Sprintf("%s %s failed: %s", method, url, reason(err))}
	}
	text := string(raw)
	ok := response.StatusCode >= 200 && response.StatusCode < 300
	if !ok && !slices.Contains(options.alsoOk, response.StatusCode) {
		detail := ""
		if text != "" {
			detail = ": " + describeBody(text)
		}
		return &RegistrationError{
			Method:  method,
			URL:     url,
			Status:  response.StatusCode,
			Body:    text,
			message: fmt.Sprintf("%s %s answered %d%s", method, url, response.StatusCode, detail),
		}
	}
	if out != nil && ok && text != "" {
		if err := json.Unmarshal(raw, out); err != nil {
			return &RegistrationError{
				Method:  method,
				URL:     url,
				Status:  response.StatusCode,
				Body:    text,
				Err:     err,
				message: fmt.Sprintf("%s %s answered %d with a body that is not JSON: %s", method, url, response.StatusCode, describeBody(text)),
			}
		}
	}
	return nil
}

// reason drops net/http's `Put "<url>": ` prefix (the message names the call already) and keeps the
// cause, e.g. "dial tcp 127.0.0.1:8001: connect: connection refused".
func reason(err error) string {
	var urlError *url.Error
	if errors.As(err, &urlError) {
		return urlError.Err.Error()
	}
	return err.Error()
}
