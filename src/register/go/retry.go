package register

import (
	"context"
	"time"
)

// RetryOptions bound WithRetry by attempts or by total time. Zero values take the defaults.
type RetryOptions struct {
	// Attempts gives up after this many attempts (default 10 when Timeout is not set either; unbounded
	// when only Timeout is).
	Attempts int
	// Timeout gives up once this much time has passed since the first attempt.
	Timeout time.Duration
	// InitialDelay is the first wait; it doubles each time (default 200ms).
	InitialDelay time.Duration
	// MaxDelay caps one wait (default 5s).
	MaxDelay time.Duration
	// OnRetry is called before each wait, e.g. to log "Kong not up yet, retrying in 400ms".
	OnRetry func(err error, attempt int, delay time.Duration)
	// RetryIf returns false to fail at once (e.g. a 400 from Kong will not fix itself). Default: retry
	// everything.
	RetryIf func(err error) bool
}

// WithRetry calls fn until it succeeds, with exponential backoff for the calls a service makes while
// Kong and Consul are still coming up (they start alongside it). Cancelling ctx (SIGTERM during
// start-up) ends a wait at once; the result is then ctx's cause.
func WithRetry[T any](ctx context.Context, options RetryOptions, fn func(attempt int) (T, error)) (T, error) {
	attempts := options.Attempts
	if attempts <= 0 {
		if options.Timeout > 0 {
			attempts = int(^uint(0) >> 1)
		} else {
			attempts = 10
		}
	}
	var deadline time.Time
	if options.Timeout > 0 {
		deadline = time.Now().Add(options.Timeout)
	}
	delay := options.InitialDelay
	if delay <= 0 {
		delay = 200 * time.Millisecond
	}
	maxDelay := options.MaxDelay
	if maxDelay <= 0 {
		maxDelay = 5 * time.Second
	}
	var zero T
	for attempt := 1; ; attempt++ {
		if ctx.Err() != nil {
			return zero, context.Cause(ctx)
		}
		value, err := fn(attempt)
		if err == nil {
			return value, nil
		}
		remaining := time.Duration(1<<63 - 1)
		if !deadline.IsZero() {
			remaining = time.Until(deadline)
		}
		if attempt >= attempts || remaining <= 0 || ctx.Err() != nil ||
			(options.RetryIf != nil && !options.RetryIf(err)) {
			return zero, err
		}
		// The last wait is cut short so one more attempt happens right at the deadline.
		wait := min(delay, maxDelay, remaining)
		if options.OnRetry != nil {
			options.OnRetry(err, attempt, wait)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return zero, context.Cause(ctx)
		case <-timer.C:
		}
		delay = min(delay*2, maxDelay)
	}
}

// RetryUnlessBadRequest is the RetryIf the templates use: a 400 (Kong's schema violation, Consul's
// invalid definition) will not fix itself, anything else (no answer yet, 5xx, 404 while Kong's
// migrations run) may.
func RetryUnlessBadRequest(err error) bool {
	return StatusOf(err) != 400
}
