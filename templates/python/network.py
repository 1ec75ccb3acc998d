"""The address this container is reached on: Consul hands it out, so Kong (through Consul DNS)
connects to it. It is the container's IP on the stack's network, not localhost."""

from __future__ import annotations

import socket
import urllib.parse


def own_address(consul_url: str) -> str:
    """The first non-internal IPv4 address of this host (Docker maps the hostname to it); failing
    that, the address this host uses to reach Consul. SERVICE_ADDRESS overrides both."""
    try:
        for *_, sockaddr in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            if not sockaddr[0].startswith("127."):
                return sockaddr[0]
    except OSError:
        pass
    host = urllib.parse.urlsplit(consul_url).hostname or "consul"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect((host, 9))  # UDP: nothing is sent, the kernel only picks the route
            address = probe.getsockname()[0]
            if not address.startswith("127."):
                return address
    except OSError:
        pass
    raise RuntimeError("no non-internal IPv4 address to register; set SERVICE_ADDRESS")
