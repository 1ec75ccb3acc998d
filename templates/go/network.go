// The address this container is reached on: Consul hands it out, so Kong (through Consul DNS)
// connects to it. It is the container's IP on the stack's network, not localhost.
package main

import (
	"errors"
	"net"
)

// ownAddress is the first non-loopback IPv4 address of the interfaces; SERVICE_ADDRESS overrides it
// when a host has several (`mkdev run` sets it to the project network's gateway).
func ownAddress(addresses []net.Addr) (string, error) {
	for _, address := range addresses {
		if network, ok := address.(*net.IPNet); ok && !network.IP.IsLoopback() && network.IP.To4() != nil {
			return network.IP.String(), nil
		}
	}
	return "", errors.New("no non-internal IPv4 address to register; set SERVICE_ADDRESS")
}
