// The verification flow over RabbitMQ with amqp091-go: publish to a durable queue on the default
// exchange (persistent messages, publisher confirms) and consume it in the same service with prefetch
// 1 and manual acks, as the original platform's mail service did. amqp091-go does not reconnect by
// itself: run() dials again (with backoff) whenever the connection is lost, including while the
// broker is still starting, and sets the channels up again. Each publish is a producer span whose
// context goes in the message's headers (traceparent), each delivery a consumer span under it.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	amqp "github.com/rabbitmq/amqp091-go"

	"__SERVICE_NAME__/tracing"
)

type messaging struct {
	url       string
	queue     string
	name      string
	onMessage func(context.Context, verificationMessage)
	log       *slog.Logger
	tracer    *tracing.Tracer
	// spanAttributes are the connection's, on every publish and delivery span.
	spanAttributes []tracing.Attr

	// publishing serialises publishes: each waits for its confirm before the next is sent.
	publishing sync.Mutex
	mu         sync.Mutex
	// publisher is the confirm-mode channel of the current connection; nil while not connected.
	publisher *amqp.Channel
	// up is closed while connected, and replaced by an open one when the connection is lost.
	up chan struct{}
}

func newMessaging(url, queue, connectionName string, onMessage func(context.Context, verificationMessage), log *slog.Logger, tracer *tracing.Tracer) *messaging {
	return &messaging{
		url: url, queue: queue, name: connectionName, onMessage: onMessage, log: log, up: make(chan struct{}),
		tracer: tracer, spanAttributes: tracing.AMQPConnectionAttributes(url),
	}
}

func (m *messaging) connected() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.publisher != nil
}

// waitConnected returns once connected (at once when it is), or ctx's error first.
func (m *messaging) waitConnected(ctx context.Context) error {
	m.mu.Lock()
	up := m.up
	m.mu.Unlock()
	select {
	case <-up:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run connects, consumes and reconnects until ctx is done, then closes the connection.
func (m *messaging) run(ctx context.Context) {
	const initialDelay, maxDelay = 200 * time.Millisecond, 5 * time.Second
	delay := initialDelay
	for {
		wasConnected, err := m.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if wasConnected {
			delay = initialDelay
			m.log.Warn("RabbitMQ connection lost; reconnecting", "error", errorText(err))
		} else {
			m.log.Warn("RabbitMQ not reachable yet; retrying", "error", errorText(err), "retry_in", delay.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		if !wasConnected {
			delay = min(delay*2, maxDelay)
		}
	}
}

// session is one connection: set up, then deliver until it is lost or ctx is done.
func (m *messaging) session(ctx context.Context) (wasConnected bool, err error) {
	properties := amqp.NewConnectionProperties()
	properties.SetClientConnectionName(m.name)
	connection, err := amqp.DialConfig(m.url, amqp.Config{Heartbeat: 10 * time.Second, Properties: properties})
	if err != nil {
		return false, err
	}
	// A broker that went away must not hold the shutdown: one second for the close handshake.
	defer func() { _ = connection.CloseDeadline(time.Now().Add(time.Second)) }()
	closed := connection.NotifyClose(make(chan *amqp.Error, 1))
	publisher, err := connection.Channel()
	if err != nil {
		return false, err
	}
	if err := publisher.Confirm(false); err != nil {
		return false, err
	}
	if _, err := publisher.QueueDeclare(m.queue, true, false, false, false, nil); err != nil {
		return false, err
	}
	consumer, err := connection.Channel()
	if err != nil {
		return false, err
	}
	if err := consumer.Qos(1, 0, false); err != nil {
		return false, err
	}
	deliveries, err := consumer.Consume(m.queue, "", false, false, false, false, nil)
	if err != nil {
		return false, err
	}
	m.setPublisher(publisher)
	defer m.setPublisher(nil)
	m.log.Info("connected to RabbitMQ; consuming", "queue", m.queue)
	for {
		select {
		case <-ctx.Done():
			return true, nil
		case lost := <-closed:
			if lost == nil {
				return true, errors.New("connection closed")
			}
			return true, lost
		case delivery, open := <-deliveries:
			if !open {
				return true, errors.New("the broker cancelled the consumer")
			}
			m.handle(ctx, delivery)
		}
	}
}

// handle processes one delivery in a consumer span, continuing the trace in its headers (the
// publisher's), ended once the message is acked.
func (m *messaging) handle(ctx context.Context, delivery amqp.Delivery) {
	ctx, span := m.tracer.StartProcess(ctx, m.spanAttributes, m.queue, delivery.Exchange, delivery.RoutingKey, delivery.Headers)
	defer span.End()
	message, ok := parseVerificationMessage(delivery.Body)
	if !ok {
		m.log.WarnContext(ctx, "dropping a malformed message", "queue", m.queue)
		tracing.Nacked(span, false)
		_ = delivery.Nack(false, false)
		return
	}
	m.onMessage(ctx, message)
	if err := delivery.Ack(false); err != nil {
		span.RecordError(err)
		m.log.WarnContext(ctx, "could not ack a message; the broker will deliver it again", "error", err.Error())
	}
}

func (m *messaging) setPublisher(publisher *amqp.Channel) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.publisher = publisher
	if publisher != nil {
		close(m.up)
	} else {
		m.up = make(chan struct{})
	}
}

// publish sends the message persistently and waits for the broker's confirm, in a producer span
// (under ctx's: the request's) whose context travels in the message's headers.
func (m *messaging) publish(ctx context.Context, message verificationMessage) (err error) {
	headers := amqp.Table{}
	ctx, span := m.tracer.StartPublish(ctx, m.spanAttributes, "", m.queue, headers)
	defer func() {
		span.RecordError(err)
		span.End()
	}()
	body, err := json.Marshal(message)
	if err != nil {
		return err
	}
	m.publishing.Lock()
	defer m.publishing.Unlock()
	m.mu.Lock()
	publisher := m.publisher
	m.mu.Unlock()
	if publisher == nil {
		return errors.New("not connected to RabbitMQ yet")
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	confirm, err := publisher.PublishWithDeferredConfirmWithContext(ctx, "", m.queue, false, false, amqp.Publishing{
		ContentType:  "text/plain",
		DeliveryMode: amqp.Persistent,
		Headers:      headers,
		Body:         body,
	})
	if err != nil {
		return err
	}
	acked, err := confirm.WaitContext(ctx)
	if err != nil {
		return fmt.Errorf("no confirm from RabbitMQ: %w", err)
	}
	if !acked {
		return errors.New("RabbitMQ refused the message")
	}
	return nil
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
