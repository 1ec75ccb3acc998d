package tracing

import (
	"context"
	"log/slog"
)

// LogHandler adds trace_id to every record logged with a context that has an active span
// (log.InfoContext(ctx, ...)), so a trace's log lines can be found from the trace, and the other way
// round (the dashboard marks the lines of a trace by its id).
func LogHandler(next slog.Handler) slog.Handler { return traceHandler{next} }

type traceHandler struct{ next slog.Handler }

func (h traceHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h traceHandler) Handle(ctx context.Context, record slog.Record) error {
	if ctx != nil {
		if id := TraceIDFrom(ctx); id != "" {
			record = record.Clone()
			record.AddAttrs(slog.String("trace_id", id))
		}
	}
	return h.next.Handle(ctx, record)
}

func (h traceHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return traceHandler{h.next.WithAttrs(attrs)}
}

func (h traceHandler) WithGroup(name string) slog.Handler {
	return traceHandler{h.next.WithGroup(name)}
}
