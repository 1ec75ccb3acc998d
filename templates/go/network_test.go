package main

import (
	"net"
	"strings"
	"testing"
)

func ipNet(cidr string) net.Addr {
	ip, network, err := net.ParseCIDR(cidr)
	if err != nil {
		panic(err)
	}
	network.IP = ip
	return network
}

func TestOwnAddressPicksTheFirstNonLoopbackIPv4Address(t *testing.T) {
	got, err := ownAddress([]net.Addr{ipNet("127.0.0.1/8"), ipNet("::1/128"), ipNet("fe80::1/64"), ipNet("172.18.0.5/16")})
	if err != nil || got != "172.18.0.5" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestOwnAddressSaysWhatToDoWhenThereIsNone(t *testing.T) {
	_, err := ownAddress([]net.Addr{ipNet("127.0.0.1/8"), ipNet("fe80::1/64")})
	if err == nil || !strings.Contains(err.Error(), "SERVICE_ADDRESS") {
		t.Fatalf("got %v", err)
	}
}
