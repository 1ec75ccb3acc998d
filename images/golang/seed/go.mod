// Only for building the offline image: `go mod download` in this module fills the image's module cache
// and checks every zip and go.mod against go.sum, i.e. against the hashes proxy.golang.org serves.
module mkdev.offline/seed

go 1.27

require github.com/rabbitmq/amqp091-go v1.10.0

require go.uber.org/goleak v1.3.0 // indirect
