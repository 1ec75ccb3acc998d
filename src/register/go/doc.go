// Package register is how a service registers itself on Kong (its public route) and on Consul (its
// address and health check): the Go twin of mkdev's TypeScript `mkdev/register` and of the Python
// template's mkdev_register.py, with the same calls, request bodies, errors and retry behaviour.
//
//   - RegisterOnKong upserts one Kong Service (host <name>.service.consul, which Kong resolves through
//     Consul DNS) and one Route by name with PUT, so every replica and every restart may run it again.
//   - RegisterOnConsul registers this instance on the local agent with an HTTP or TCP check and
//     DeregisterCriticalServiceAfter, so a replica killed without deregistering disappears on its own.
//   - DeregisterFromConsul and UnregisterFromKong undo them; an entity already gone counts as done.
//   - WithRetry retries with exponential backoff while Kong and Consul come up; RetryIf decides what
//     will not fix itself (the templates stop at once on a 400).
//
// Standard library only, so `mkdev new-service --lang go` can vendor it into a service.
package register
