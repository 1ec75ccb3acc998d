// mkdev/register for Go: standard library only. `mkdev new-service --lang go` copies this directory into
// services/<name>/mkdev-register/ and points the service's go.mod at it with a replace directive, so
// it builds with no network and no module proxy.
module mkdev/register

go 1.27
