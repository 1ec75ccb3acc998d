"""The contract driver for the Python template's mkdev_register (see test/register-contract.docker.test.ts):
runs the steps given as JSON in argv[1] and prints one JSON result per step, in the shape every
language's driver prints. PYTHONPATH names templates/python."""

import json
import sys

import mkdev_register as r


def call(op, a):
    if op == "registerOnKong":
        result = r.register_on_kong(
            a["adminUrl"], a["name"], a["port"], a["paths"], host=a.get("host"), hosts=a.get("hosts"),
            strip_path=a.get("stripPath", True), tags=a.get("tags"),
        )
        return {"serviceId": result["service_id"], "routeId": result["route_id"]}
    if op == "unregisterFromKong":
        return r.unregister_from_kong(a["adminUrl"], a["name"])
    if op == "registerOnConsul":
        c = a["check"]
        check = {key: c[camel] for key, camel in (("http", "http"), ("tcp", "tcp"), ("interval", "interval"),
                 ("timeout", "timeout"), ("deregister_critical_service_after", "deregisterCriticalServiceAfter"),
                 ("status", "status")) if camel in c}
        extra = {key: a[key] for key in ("tags", "meta") if key in a}
        return r.register_on_consul(a["consulUrl"], id=a["id"], name=a["name"], address=a["address"], port=a["port"],
                                    check=check, **extra)
    if op == "deregisterFromConsul":
        return r.deregister_from_consul(a["consulUrl"], a["id"])
    raise ValueError(f"unknown op {op}")


def main():
    for step in json.loads(sys.argv[1]):
        attempts = 0
        delays = []

        def once(_attempt):
            nonlocal attempts
            attempts += 1
            return call(step["op"], step["args"])

        retry = step.get("retry")
        try:
            if retry:
                value = r.with_retry(
                    once,
                    attempts=retry.get("attempts"),
                    timeout=retry["timeoutMs"] / 1000 if "timeoutMs" in retry else None,
                    initial_delay=retry["initialDelayMs"] / 1000,
                    max_delay=retry["maxDelayMs"] / 1000,
                    retry_if=lambda e: not (isinstance(e, r.RegistrationError) and e.status == 400),
                    on_retry=lambda _e, _n, d: delays.append(round(d * 1000)),
                )
            else:
                value = once(1)
            print(json.dumps({"ok": True, "value": value, "attempts": attempts, "delaysMs": delays}), flush=True)
        except Exception as error:  # noqa: BLE001 - reported as the step's result
            is_registration = isinstance(error, r.RegistrationError)
            print(json.dumps({
                "ok": False,
                "registrationError": is_registration,
                "status": error.status if is_registration else None,
                "message": str(error),
                "attempts": attempts,
                "delaysMs": delays,
            }), flush=True)


if __name__ == "__main__":
    main()
