package tracing

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// RabbitMQ spans as OpenTelemetry's amqplib instrumentation for Node makes them (mkdev's TypeScript
// template), with the trace context in the message's headers. The headers are a map[string]any, which
// amqp091-go's amqp.Table is, so this package needs no AMQP client.

// AMQPConnectionAttributes are the attributes every span on a connection to url carries: the broker,
// the protocol, where it is, and the URL with its password hidden.
func AMQPConnectionAttributes(amqpURL string) []Attr {
	censored := passwordInURL.ReplaceAllString(amqpURL, ":***@")
	attrs := []Attr{
		String("messaging.system", "rabbitmq"),
		String("messaging.protocol_version", "0.9.1"),
		String("messaging.url", censored),
	}
	parsed, err := url.Parse(censored)
	if err != nil {
		return attrs
	}
	protocol := strings.ToUpper(parsed.Scheme)
	if protocol == "" {
		protocol = "AMQP"
	}
	host := parsed.Hostname()
	if host == "" {
		host = "localhost"
	}
	port, _ := strconv.Atoi(parsed.Port())
	if port == 0 {
		port = 5672
		if protocol != "AMQP" {
			port = 5671
		}
	}
	return append(attrs, String("messaging.protocol", protocol), String("server.address", host), Int("server.port", port))
}

var passwordInURL = regexp.MustCompile(`:[^:@/]*@`)

// StartPublish starts a producer span for a message published to exchange with routingKey, under ctx's
// span (the request's), and puts its context in headers: the consumer continues the trace from there.
// Named "publish <exchange>" ("<default>" for the default exchange). End it once the broker confirmed
// the message (RecordError if it did not).
func (t *Tracer) StartPublish(ctx context.Context, connection []Attr, exchange, routingKey string, headers map[string]any) (context.Context, *Span) {
	if t == nil {
		return ctx, nil
	}
	name := exchange
	if name == "" {
		name = "<default>"
	}
	attrs := append(append([]Attr(nil), connection...),
		String("messaging.destination", exchange),
		String("messaging.destination_kind", "topic"),
		String("messaging.rabbitmq.routing_key", routingKey),
	)
	ctx, span := t.Start(ctx, "publish "+name, KindProducer, attrs...)
	if headers != nil {
		Inject(span.Context(), func(key, value string) { headers[key] = value })
	}
	return ctx, span
}

// StartProcess starts a consumer span for a delivery from queue, continuing the trace in its headers
// (a new one when they carry none). Named "<queue> process". End it when the message is acked; a
// nack or reject marks it in error first (Nacked).
func (t *Tracer) StartProcess(ctx context.Context, connection []Attr, queue, exchange, routingKey string, headers map[string]any) (context.Context, *Span) {
	if t == nil {
		return ctx, nil
	}
	if parent, ok := Extract(func(key string) string { return headerText(headers[key]) }); ok {
		// The delivery's trace, not the one ctx may be in: the consumer's work belongs to the publisher.
		ctx = ContextWithRemoteParent(context.WithValue(ctx, spanKey{}, (*Span)(nil)), parent)
	}
	attrs := append(append([]Attr(nil), connection...),
		String("messaging.destination", exchange),
		String("messaging.destination_kind", "topic"),
		String("messaging.rabbitmq.routing_key", routingKey),
		String("messaging.operation", "process"),
	)
	return t.Start(ctx, queue+" process", KindConsumer, attrs...)
}

// Nacked marks a consumer span in error as the Node instrumentation does when a message is nacked.
func Nacked(span *Span, requeue bool) {
	if requeue {
		span.SetError("nack called on message with requeue")
	} else {
		span.SetError("nack called on message without requeue")
	}
}

// headerText is a header value as text: AMQP carries it as a string, or as bytes from some clients.
func headerText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	}
	return ""
}
