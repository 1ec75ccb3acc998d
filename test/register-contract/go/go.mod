// The contract driver for the Go mkdev/register (see test/register-contract.docker.test.ts).
module mkdev.test/register-contract

go 1.27

require mkdev/register v0.0.0

replace mkdev/register => ../../../src/register/go
