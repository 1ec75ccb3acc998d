"""PID 1 of the service's container: runs main.py as a child, and on SIGHUP replaces that child with a new
one in the same container, so that `mkdev watch` serves an edit without a container restart (the image's
label dev.mkdev.restart-signal=SIGHUP tells it to send SIGHUP instead of restarting the container).

The replacement overlaps: the new child starts beside the old one, accepts on the same listening socket
(bound here once, inherited as MKDEV_LISTEN_FD) and registers the same instance on Consul (same ID,
address and port: idempotent); only once it writes to its MKDEV_READY_FD does the old one get SIGUSR2 and
leave without deregistering. The instance never disappears from Consul, so Kong never caches "not found",
and no connection is refused in between.

SIGTERM and SIGINT are a normal stop: forwarded to the children (which deregister), and this process exits
with the child's status, so `docker stop` and `mkdev down` behave as without it. A child that exits by
itself (a crash, or a new child that fails after a bad edit) ends the container with its status, as a
crash did before: `mkdev watch` reports it, and its next sync restarts the container."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys

# -B: no bytecode cache for the service's own modules. Python trusts a cached .pyc while the source's
# mtime (whole seconds) and size match, and `mkdev watch` can sync two edits of the same size within
# one second: the next process would then run the previous edit's code.
COMMAND = [sys.executable, "-B", "main.py"]


def log(message: str) -> None:
    print(f"[supervisor] {message}", flush=True)


class Supervisor:
    def __init__(self, listener: socket.socket):
        self.listener = listener
        self.selector = selectors.DefaultSelector()
        self.current: subprocess.Popen | None = None
        self.next: subprocess.Popen | None = None
        self.again = False
        self.stopping = False
        self.status = 0
        self.failed: int | None = None
        self.leaving: list[subprocess.Popen] = []
        # Signals only set flags; the loop below acts on them (woken through this pipe).
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        self.selector.register(self.wake_r, selectors.EVENT_READ, None)
        self.pending: list[int] = []
        for sig in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
            signal.signal(sig, lambda n, _f: self.pending.append(n))

    def start(self) -> subprocess.Popen:
        ready_r, ready_w = os.pipe()
        env = {**os.environ, "MKDEV_LISTEN_FD": str(self.listener.fileno()), "MKDEV_READY_FD": str(ready_w)}
        child = subprocess.Popen(COMMAND, env=env, pass_fds=(self.listener.fileno(), ready_w))
        os.close(ready_w)
        self.selector.register(ready_r, selectors.EVENT_READ, child)
        return child

    def restart(self) -> None:
        if self.stopping:
            return
        # A restart asked for while one is under way starts once that one is done (its files may predate it).
        if self.next is not None:
            self.again = True
            return
        self.again = False
        self.next = self.start()
        log(f"restarting: child {self.next.pid} starts beside {self.current.pid}")

    def ready(self, fd: int, child: subprocess.Popen) -> None:
        said = os.read(fd, 64)
        self.selector.unregister(fd)
        os.close(fd)
        # End of file without a word: the child exited before it was ready (reap() sees to it).
        if not said or child is not self.next:
            return
        old, self.current, self.next = self.current, child, None
        log(f"child {child.pid} serves; child {old.pid} leaves")
        self.leaving.append(old)
        old.send_signal(signal.SIGUSR2)
        if self.again:
            self.restart()

    def stop(self, sig: int) -> None:
        self.stopping = True
        for child in (self.current, self.next, *self.leaving):
            if child is not None and child.poll() is None:
                child.send_signal(sig)

    def reap(self) -> None:
        for child in [c for c in (self.current, self.next, *self.leaving) if c is not None]:
            code = child.poll()
            if code is None:
                continue
            code = 128 - code if code < 0 else code
            if child in self.leaving:
                self.leaving.remove(child)
                continue
            if child is self.current:
                self.current = None
                self.status = code
            else:
                self.next = None
            if not self.stopping:
                # Ends the container with this child's status: a crash, or a new child that failed to start.
                log(f"child {child.pid} exited with status {code}: stopping")
                self.failed = code
                self.stop(signal.SIGTERM)

    def alive(self) -> bool:
        return any(c is not None and c.poll() is None for c in (self.current, self.next, *self.leaving))

    def run(self) -> int:
        self.current = self.start()
        while True:
            for key, _ in self.selector.select():
                if key.data is None:
                    os.read(self.wake_r, 64)
                else:
                    self.ready(key.fd, key.data)
            for sig in self.pending[:]:
                self.pending.remove(sig)
                if sig == signal.SIGHUP:
                    self.restart()
                elif sig in (signal.SIGTERM, signal.SIGINT):
                    self.stop(sig)
            self.reap()
            if self.stopping and not self.alive():
                return self.status if self.failed is None else self.failed


def main() -> int:
    host = os.environ.get("BIND_ADDRESS") or "0.0.0.0"
    listener = socket.create_server((host, int(os.environ["PORT"])), backlog=128)
    # Non-blocking for every holder (the flag is the socket's, shared): two children accept on it during a
    # handover, and the one that loses a race for a connection must not block in accept().
    listener.setblocking(False)
    return Supervisor(listener).run()


if __name__ == "__main__":
    sys.exit(main())
