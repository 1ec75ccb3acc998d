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
crash did before: `mkdev watch` reports it, and its next sync restarts the container.

SIGUSR2 parks the service (`mkdev run`, while a process on the host stands in for it; the image's label
dev.mkdev.park-signal=SIGUSR2 tells mkdev so): the child stops as on a normal stop (deregisters, closes
RabbitMQ) and this process stays, with no child, until SIGHUP starts one again. The way back is then a
process start, not a container start. Parked, SIGTERM ends the container at once, with status 0."""

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
        # Parking: from SIGUSR2 to the SIGHUP that ends it; `unparked`: a SIGHUP while the child still left.
        self.parked = False
        self.unparked = False
        # Signals only set flags; the loop below acts on them (woken through this pipe).
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        signal.set_wakeup_fd(self.wake_w)
        self.selector.register(self.wake_r, selectors.EVENT_READ, None)
        self.pending: list[int] = []
        for sig in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT, signal.SIGCHLD, signal.SIGUSR2):
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

    def park(self) -> None:
        if self.stopping or self.parked:
            return
        self.parked = True
        self.again = False
        log("parked: the child stops; SIGHUP starts one again")
        for child in (self.current, self.next):
            if child is not None:
                self.leaving.append(child)
                child.send_signal(signal.SIGTERM)
        self.current = self.next = None

    def unpark(self) -> bool:
        """SIGHUP while parked starts a child (once the parked one has left: it deregisters what the new one
        registers)."""
        if not self.parked:
            return False
        self.unparked = True
        self.resume_when_left()
        return True

    def resume_when_left(self) -> None:
        if self.parked and self.unparked and not self.stopping and not self.alive():
            self.parked = self.unparked = False
            self.current = self.start()
            log(f"unparked: child {self.current.pid} starts")

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
                    if not self.unpark():
                        self.restart()
                elif sig == signal.SIGUSR2:
                    self.park()
                elif sig in (signal.SIGTERM, signal.SIGINT):
                    self.stop(sig)
            self.reap()
            self.resume_when_left()
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
