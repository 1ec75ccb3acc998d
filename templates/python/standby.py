"""A warm standby for supervisor.py: a process that has already started Python and imported the modules
the service's files import (pika, http.server, urllib, the OpenTelemetry SDK when installed...), but none
of the service's own modules. Until the supervisor says "go" (a byte on MKDEV_GO_FD) it does nothing
else: it does not listen, connect to RabbitMQ or register. At "go" (a `mkdev watch` edit, SIGHUP to the
supervisor) it runs main.py, which imports the service's files as they are now, and from there it is a
child like any other (MKDEV_LISTEN_FD, MKDEV_READY_FD, SIGUSR2).

Once warm it writes the files it loaded to MKDEV_WARM_FD (JSON, then end of file): one among them that
changed since the standby started would be stale code, so the supervisor then starts a cold child instead.
Its process name, mkdev-standby until it goes, tells `mkdev watch` that it serves nothing yet."""

from __future__ import annotations

import ast
import ctypes
import importlib
import json
import os
import runpy
import sys

PR_SET_NAME = 15


def set_name(name: bytes) -> None:
    try:
        ctypes.CDLL(None).prctl(PR_SET_NAME, name, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux, or no prctl: only `mkdev watch`'s wait is longer
        pass


def imported_modules(directory: str) -> list[str]:
    """What the service's files import that is not one of them (its own modules load at "go")."""
    entries = sorted(os.listdir(directory))
    files = [f for f in entries if f.endswith(".py")]
    # Its own modules: the files beside main.py, and its packages (directories) there.
    own = {f[:-3] for f in files} | {d for d in entries if os.path.isdir(os.path.join(directory, d))}
    names: set[str] = set()
    for file in files:
        if file in ("supervisor.py", "standby.py"):
            continue
        try:
            with open(os.path.join(directory, file), encoding="utf-8") as source:
                tree = ast.parse(source.read())
        except (OSError, SyntaxError, ValueError):
            continue  # it fails at "go", as it would in a cold child
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
    return sorted(n for n in names if n.split(".")[0] not in own and n != "__future__")


def main() -> None:
    set_name(b"mkdev-standby")
    go_fd, warm_fd = int(os.environ.pop("MKDEV_GO_FD")), int(os.environ.pop("MKDEV_WARM_FD"))
    for name in imported_modules(os.getcwd()):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - not installed (an optional SDK), or failing: the service's to load
            pass
    loaded = sorted({f for m in list(sys.modules.values()) if (f := getattr(m, "__file__", None))})
    with os.fdopen(warm_fd, "w") as warm:
        json.dump([os.path.abspath(__file__), *loaded], warm)
    # Blocks until "go"; end of file means the supervisor is gone or no longer wants it.
    if not os.read(go_fd, 16):
        sys.exit(0)
    os.close(go_fd)
    set_name(b"python3")
    sys.argv = ["main.py"]
    runpy.run_path("main.py", run_name="__main__")


if __name__ == "__main__":
    main()
