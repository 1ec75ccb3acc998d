"""Self-registration on Kong 3.x and Consul: the Python twin of mkdev's `mkdev/register` library.

Standard library only (urllib), so it works on any Python 3.9+. Kong gets one Service (host
`<name>.service.consul`, which Kong resolves through Consul DNS) and one Route, both upserted with
PUT by name, so every replica and every restart can run it again safely. Consul gets this
instance (its address, port and a health check) on the local agent.
"""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable, Iterable, Mapping, Optional, TypeVar

__all__ = [
    "RegistrationError",
    "consul_service_definition",
    "deregister_from_consul",
    "register_on_consul",
    "register_on_kong",
    "unregister_from_kong",
    "with_retry",
]

T = TypeVar("T")


class RegistrationError(Exception):
    """A call answered with an unexpected status (status is None when no answer came at all)."""

    def __init__(self, message: str, status: Optional[int] = None, body: Optional[str] = None):
        super().__init__(message)
        self.status = status
        self.body = body


def _describe(text: str) -> str:
    # Kong answers {"message", "fields"}; Consul answers plain text.
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict) and isinstance(parsed.get("message"), str):
            fields = parsed.get("fields")
            return parsed["message"] if fields is None else f"{parsed['message']} {json.dumps(fields)}"
    except ValueError:
        pass
    return text.strip()[:500]


def _call(method: str, url: str, body: Any = None, also_ok: Iterable[int] = (), timeout: float = 10.0) -> Any:
    data = None if body is None else json.dumps(body).encode()
    headers = {} if body is None else {"content-type": "application/json"}
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read().decode("utf-8", "replace")
            status = response.status
    except urllib.error.HTTPError as error:
        text = error.read().decode("utf-8", "replace")
        status = error.code
        if status not in also_ok:
            detail = f": {_describe(text)}" if text else ""
            raise RegistrationError(f"{method} {url} answered {status}{detail}", status, text) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise RegistrationError(f"{method} {url} failed: {reason}") from None
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def _join(base: str, path: str) -> str:
    return base.rstrip("/") + path


def register_on_kong(
    admin_url: str,
    name: str,
    port: int,
    paths: Iterable[str],
    host: Optional[str] = None,
    hosts: Optional[Iterable[str]] = None,
    strip_path: bool = True,
    tags: Optional[Iterable[str]] = None,
    timeout: float = 10.0,
) -> dict:
    """Upserts the Service and its Route; returns {"service_id", "route_id"}."""
    paths = list(paths)
    for path in paths:
        if not path.startswith("/"):
            raise ValueError(f"Kong route paths start with '/': got '{path}'")
    extra = {} if tags is None else {"tags": list(tags)}
    quoted = urllib.parse.quote(name, safe="")
    service = _call(
        "PUT",
        _join(admin_url, f"/services/{quoted}"),
        {"name": name, "protocol": "http", "host": host or f"{name}.service.consul", "port": port, **extra},
        timeout=timeout,
    )
    service_id = _id_of(service, "service")
    # The Route names its Service by the id Kong just returned: the form every Kong 3.x accepts.
    route_body = {
        "name": name,
        "service": {"id": service_id},
        "protocols": ["http", "https"],
        "paths": paths,
        "strip_path": strip_path,
        **extra,
    }
    if hosts is not None:
        route_body["hosts"] = list(hosts)
    route = _call("PUT", _join(admin_url, f"/routes/{quoted}"), route_body, timeout=timeout)
    return {"service_id": service_id, "route_id": _id_of(route, "route")}


def unregister_from_kong(admin_url: str, name: str, timeout: float = 10.0) -> None:
    """Route first (Kong refuses to delete a Service a Route uses); 204 also when absent."""
    quoted = urllib.parse.quote(name, safe="")
    _call("DELETE", _join(admin_url, f"/routes/{quoted}"), also_ok=(404,), timeout=timeout)
    _call("DELETE", _join(admin_url, f"/services/{quoted}"), also_ok=(404,), timeout=timeout)


def _id_of(entity: Any, what: str) -> str:
    if not isinstance(entity, dict) or not isinstance(entity.get("id"), str):
        raise RegistrationError(f"Kong answered the {what} upsert without an id: {entity!r}")
    return entity["id"]


def consul_service_definition(
    id: str,
    name: str,
    address: str,
    port: int,
    check: Mapping[str, str],
    tags: Optional[Iterable[str]] = None,
    meta: Optional[Mapping[str, str]] = None,
) -> dict:
    """The body of PUT /v1/agent/service/register. check: {"http" or "tcp", "interval", "timeout",
    "deregister_critical_service_after", optional "status"} (Consul's minimum for
    deregister_critical_service_after is 1m)."""
    if ("http" in check) == ("tcp" in check):
        raise ValueError("a check names exactly one of 'http' or 'tcp'")
    definition = {
        "ID": id,
        "Name": name,
        "Address": address,
        "Port": port,
        "Check": {
            **({"HTTP": check["http"]} if "http" in check else {"TCP": check["tcp"]}),
            "Interval": check["interval"],
            "Timeout": check["timeout"],
            "DeregisterCriticalServiceAfter": check["deregister_critical_service_after"],
        },
    }
    if "status" in check:
        # Until the check first runs; "passing" keeps a service that registers once it can serve
        # visible to Consul DNS (and so to Kong) from the start.
        definition["Check"]["Status"] = check["status"]
    if tags is not None:
        definition["Tags"] = list(tags)
    if meta is not None:
        definition["Meta"] = dict(meta)
    return definition


def register_on_consul(consul_url: str, timeout: float = 10.0, **service: Any) -> None:
    """Registers on the local agent; keyword arguments as for consul_service_definition."""
    _call("PUT", _join(consul_url, "/v1/agent/service/register"), consul_service_definition(**service), timeout=timeout)


def deregister_from_consul(consul_url: str, id: str, timeout: float = 10.0) -> None:
    """Current Consul answers 404 for an unknown id: that counts as already gone."""
    quoted = urllib.parse.quote(id, safe="")
    _call("PUT", _join(consul_url, f"/v1/agent/service/deregister/{quoted}"), also_ok=(404,), timeout=timeout)


def with_retry(
    fn: Callable[[int], T],
    attempts: Optional[int] = None,
    timeout: Optional[float] = None,
    initial_delay: float = 0.2,
    max_delay: float = 5.0,
    stop: Any = None,
    on_retry: Optional[Callable[[Exception, int, float], None]] = None,
    retry_if: Optional[Callable[[Exception], bool]] = None,
) -> T:
    """Calls fn(attempt) until it succeeds, doubling the wait each time (with a little jitter).
    Bounded by attempts (default 10 without a timeout) or timeout seconds; `stop` (a
    threading.Event) cuts a wait short and ends the retries."""
    if attempts is None:
        attempts = 10 if timeout is None else 1 << 30
    deadline = None if timeout is None else time.monotonic() + timeout
    delay = initial_delay
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn(attempt)
        except Exception as error:  # noqa: BLE001 - the caller decides with retry_if
            remaining = None if deadline is None else deadline - time.monotonic()
            stopped = stop is not None and stop.is_set()
            give_up = attempt >= attempts or (remaining is not None and remaining <= 0)
            if give_up or stopped or (retry_if is not None and not retry_if(error)):
                raise
            wait = min(delay, max_delay) * (1 + random.uniform(-0.1, 0.1))
            if remaining is not None:
                wait = min(wait, remaining)
            if on_retry is not None:
                on_retry(error, attempt, wait)
            if stop is not None:
                if stop.wait(wait):
                    raise
            else:
                time.sleep(wait)
            delay = min(delay * 2, max_delay)
