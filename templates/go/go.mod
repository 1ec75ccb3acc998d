module __SERVICE_NAME__

go 1.27

require (
	github.com/rabbitmq/amqp091-go v1.10.0
	mkdev/register v0.0.0
)

// mkdev's registration package, vendored by `mkdev new-service` (no module proxy needed for it).
replace mkdev/register => ./mkdev-register
