"""The service's configuration, from the environment only (mkdev sets it in mkdev.yaml). Pure, so
it is unit-tested without a network."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping, Optional

# Placeholders `mkdev new-service` replaces; the environment still wins.
DEFAULT_NAME = "__SERVICE_NAME__"
DEFAULT_PORT = "__PORT__"
DEFAULT_ROUTE_PATH = "__ROUTE_PATH__"

DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Config:
    service_name: str
    #: Unique per container: `<name>-<hostname>`, the Consul service ID.
    instance_id: str
    port: int
    #: The public path prefix Kong routes to this service, e.g. /orders.
    route_path: str
    kong_admin_url: str
    consul_url: str
    rabbitmq_url: str
    #: The durable queue of the verification flow.
    verification_queue: str
    #: REGISTER=false skips Kong and Consul, to run the service on its own.
    register: bool


def _get(env: Mapping[str, str], key: str) -> Optional[str]:
    value = env.get(key, "").strip()
    return value or None


def parse_config(env: Mapping[str, str], hostname: str) -> Config:
    name = _get(env, "SERVICE_NAME") or DEFAULT_NAME
    if not DNS_LABEL.match(name):
        raise ConfigError(f"SERVICE_NAME must be a DNS label (it becomes <name>.service.consul): got '{name}'")
    port_text = _get(env, "PORT") or DEFAULT_PORT
    if not port_text.isdigit() or not 1 <= int(port_text) <= 65535:
        raise ConfigError(f"PORT must be a port number (1-65535): got '{port_text}'")
    route_path = _get(env, "ROUTE_PATH") or DEFAULT_ROUTE_PATH
    if len(route_path) > 1:
        route_path = route_path.rstrip("/") or "/"
    if not route_path.startswith("/"):
        raise ConfigError(f"ROUTE_PATH must start with '/': got '{route_path}'")
    register = (_get(env, "REGISTER") or "true").lower()
    if register not in ("true", "false"):
        raise ConfigError(f"REGISTER must be true or false: got '{register}'")
    return Config(
        service_name=name,
        instance_id=f"{name}-{hostname}",
        port=int(port_text),
        route_path=route_path,
        kong_admin_url=_get(env, "KONG_ADMIN_URL") or "http://kong:8001",
        consul_url=_get(env, "CONSUL_URL") or "http://consul:8500",
        rabbitmq_url=_get(env, "RABBITMQ_URL") or "amqp://guest:guest@rabbitmq:5672",
        verification_queue=f"{name}-verifications",
        register=register == "true",
    )


def local_path(route_path: str, path: str) -> str:
    """Kong strips the route prefix (strip_path), so /orders/verifications arrives as /verifications.
    Called directly the service may see the prefixed path: both forms are answered."""
    if route_path == "/":
        return path
    if path == route_path:
        return "/"
    if path.startswith(route_path + "/"):
        return path[len(route_path):]
    return path
