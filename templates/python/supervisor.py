"""PID 1 of the service's container: runs main.py as a child, and on SIGHUP replaces that child with a new
one in the same container, so that `mkdev watch` serves an edit without a container restart (the image's
label dev.mkdev.restart-signal=SIGHUP tells it to send SIGHUP instead of restarting the container).

The replacement overlaps: the new child starts beside the old one, accepts on the same listening socket
(bound here once, inherited as MKDEV_LISTEN_FD) and registers the same instance on Consul (same ID,
address and port: idempotent); only once it writes to its MKDEV_READY_FD does the old one get SIGUSR2 and
leave without deregistering. The instance never disappears from Consul, so Kong never caches "not found",
and no connection is refused in between.

A warm standby (standby.py) takes the interpreter's start and the dependencies' imports off the edit's
path: at SIGHUP it runs main.py and goes through the same handover; a new standby starts once the old child
has left, so that it does not compete for CPU with the child getting ready. A standby that loaded a file
that changed since it started is not used (a cold child starts instead), and one that dies is replaced.

SIGTERM and SIGINT are a normal stop: forwarded to the children (which deregister), and this process exits
with the child's status, so `docker stop` and `mkdev down` behave as without it. A child that exits by
itself (a crash, or a new child that fails after a bad edit) ends the container with its status, as a
crash did before: `mkdev watch` reports it, and its next sync restarts the container.

SIGUSR2 parks the service (`mkdev run`, while a process on the host stands in for it; the image's label
dev.mkdev.park-signal=SIGUSR2 tells mkdev so): the child stops as on a normal stop (deregisters, closes
RabbitMQ) and this process stays, with no child but the warm standby, until SIGHUP starts one again (from
the standby when it is warm and fresh). The way back is then a process start, not a container start.
Parked, SIGTERM ends the container at once, with status 0."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time

# -B: no bytecode cache for the service's own modules. Python trusts a cached .pyc while the source's
# mtime (whole seconds) and size match, and `mkdev watch` can sync two edits of the same size within
# one second: the next process would then run the previous edit's code.
COMMAND = [sys.executable, "-B", "main.py"]
STANDBY_COMMAND = [sys.executable, "-B", "standby.py"]
# A file written this close before the standby started may have a ctime just before it (the kernel's coarse clock).
CLOCK_SLACK_NS = 50_000_000


def log(message: str) -> None:
    # One write per line (print() writes the newline apart when unbuffered, as PYTHONUNBUFFERED makes it):
    # the children write to the same output, and their lines must not land inside this one.
    sys.stdout.write(f"[supervisor] {message}\n")
    sys.stdout.flush()


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
        self.standby: Standby | None = None
        self.standby_failures = 0
        self.standby_due: float | None = None
        self.warming: Standby | None = None  # the standby taken at SIGHUP, until it goes
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

    def start(self, command: list[str] = COMMAND, env: dict | None = None, fds: tuple = ()) -> subprocess.Popen:
        ready_r, ready_w = os.pipe()
        env = {**os.environ, **(env or {}), "MKDEV_LISTEN_FD": str(self.listener.fileno()), "MKDEV_READY_FD": str(ready_w)}
        child = subprocess.Popen(command, env=env, pass_fds=(self.listener.fileno(), ready_w, *fds))
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
        self.next = self.from_standby() or self.start()
        log(f"restarting: child {self.next.pid} starts beside {self.current.pid}")

    def ready(self, fd: int, child: subprocess.Popen) -> None:
        said = os.read(fd, 64)
        self.selector.unregister(fd)
        os.close(fd)
        # End of file without a word: the child exited before it was ready (reap() sees to it).
        if said and child is self.current:
            self.keep_standby()  # the first child serves: time for a standby
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
        if self.warming is not None and not self.warming.went:
            os.close(self.warming.go_w)  # a standby taken but not gone yet: end of file, it exits
            self.warming = None
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
        if self.parked and self.unparked and not self.stopping and not self.serving_alive():
            self.parked = self.unparked = False
            self.current = self.warm_standby() or self.start()
            log(f"unparked: child {self.current.pid} starts")

    def warm_standby(self) -> subprocess.Popen | None:
        """The standby, told to go, if it is warm and loaded nothing that changed since (else it leaves)."""
        standby = self.standby
        if standby is None or standby.files is None or standby.process.poll() is not None:
            return None
        self.standby = None
        standby.taken = True
        self.warming = standby
        return standby.process if self.go_if_fresh(standby) else None

    def serving_alive(self) -> bool:
        """Whether a child that serves, or served, is still there (the unused standby aside)."""
        return any(c is not None and c.poll() is None for c in (self.current, self.next, *self.leaving))

    def stop(self, sig: int) -> None:
        self.stopping = True
        for child in (self.current, self.next, *self.leaving, self.standby and self.standby.process):
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
                if self.next is None:
                    self.keep_standby()  # the old child has left: the CPU is free for a new standby
                continue
            if child is self.current:
                self.current = None
                self.status = code
            elif self.warming is not None and self.warming.process is child and not self.warming.went:
                # Taken while warming up, it died before it was told to go: the standby's failure, not the edit's.
                log(f"standby {child.pid} exited with status {code} before it went: a cold child starts instead")
                self.warming = None
                self.next = self.start()
                continue
            else:
                self.next = None
            if not self.stopping:
                # Ends the container with this child's status: a crash, or a new child that failed to start.
                log(f"child {child.pid} exited with status {code}: stopping")
                self.failed = code
                self.stop(signal.SIGTERM)

    def alive(self) -> bool:
        standby = self.standby and self.standby.process
        return any(c is not None and c.poll() is None for c in (self.current, self.next, *self.leaving, standby))

    # The warm standby (standby.py): started, taken at SIGHUP, replaced when it dies.

    def keep_standby(self) -> None:
        """Starts a standby unless one runs or the container is stopping."""
        if self.standby is not None or self.stopping:
            return
        go_r, go_w = os.pipe()
        warm_r, warm_w = os.pipe()
        since_ns = time.time_ns()
        process = self.start(STANDBY_COMMAND, {"MKDEV_GO_FD": str(go_r), "MKDEV_WARM_FD": str(warm_w)}, (go_r, warm_w))
        os.close(go_r)
        os.close(warm_w)
        self.standby = Standby(process, go_w, warm_r, since_ns)
        self.selector.register(warm_r, selectors.EVENT_READ, self.standby)

    def standby_warm(self, standby: Standby) -> None:
        """It wrote what it loaded (or exited: end of file without a list)."""
        chunks = []
        while chunk := os.read(standby.warm_r, 65536):
            chunks.append(chunk)
        self.selector.unregister(standby.warm_r)
        os.close(standby.warm_r)
        try:
            standby.files = json.loads(b"".join(chunks) or b"null")
        except ValueError:
            standby.files = None
        if standby.files is None:
            return  # it died while warming up: reap_standby() sees to it
        self.standby_failures = 0
        log(f"standby {standby.process.pid} is warm ({len(standby.files)} files loaded)")
        # Asked for while it warmed up: it goes now, or a cold child starts instead.
        if standby.taken and standby.process is self.next and not self.go_if_fresh(standby):
            self.next = self.start()

    def from_standby(self) -> subprocess.Popen | None:
        """The standby as the next child, or None (none, or stale: a cold child starts)."""
        standby = self.standby
        if standby is None or standby.process.poll() is not None:
            return None
        self.standby = None
        standby.taken = True
        self.warming = standby
        # Still warming up, it goes once warm: still ahead of a cold child.
        if standby.files is not None and not self.go_if_fresh(standby):
            return None
        return standby.process

    def go_if_fresh(self, standby: Standby) -> bool:
        """Tells the standby to run the service, unless a file it loaded changed since (it leaves then)."""
        stale = standby.stale_file()
        if stale is None:
            log(f"child {standby.process.pid} starts from the warm standby")
            os.write(standby.go_w, b"go")
            os.close(standby.go_w)
            standby.went = True
            return True
        log(f"standby {standby.process.pid} loaded {stale}, changed since it started: a cold child starts instead")
        os.close(standby.go_w)  # end of file: it exits
        self.leaving.append(standby.process)
        return False

    def reap_standby(self) -> None:
        """A standby that died is replaced, later each time it fails again before warm; it never ends the container."""
        standby = self.standby
        if standby is None or (code := standby.process.poll()) is None:
            return
        self.standby = None
        os.close(standby.go_w)
        if self.stopping:
            return
        self.standby_failures += 1
        delay = min(2 ** (self.standby_failures - 1), 60)
        log(f"standby exited with status {128 - code if code < 0 else code}: a new one starts in {delay} s")
        self.standby_due = time.monotonic() + delay

    def run(self) -> int:
        self.current = self.start()
        while True:
            timeout = None if self.standby_due is None else max(0.0, self.standby_due - time.monotonic())
            for key, _ in self.selector.select(timeout):
                if key.data is None:
                    os.read(self.wake_r, 64)
                elif isinstance(key.data, Standby):
                    self.standby_warm(key.data)
                else:
                    self.ready(key.fd, key.data)
            if self.standby_due is not None and time.monotonic() >= self.standby_due:
                self.standby_due = None
                self.keep_standby()
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
            self.reap_standby()
            self.resume_when_left()
            if self.stopping and not self.alive():
                return self.status if self.failed is None else self.failed


class Standby:
    """The warm standby (standby.py): its process, the pipe that says "go", and what it loaded once warm."""

    def __init__(self, process: subprocess.Popen, go_w: int, warm_r: int, since_ns: int):
        self.process, self.go_w, self.warm_r, self.since_ns = process, go_w, warm_r, since_ns
        self.files: list[str] | None = None
        self.taken = False
        self.went = False

    def stale_file(self) -> str | None:
        """The first file it loaded that changed (or went away) since it started, by its ctime (set at every write)."""
        for file in self.files or []:
            try:
                if os.stat(file).st_ctime_ns >= self.since_ns - CLOCK_SLACK_NS:
                    return file
            except OSError:
                return file
        return None


def main() -> int:
    host = os.environ.get("BIND_ADDRESS") or "0.0.0.0"
    listener = socket.create_server((host, int(os.environ["PORT"])), backlog=128)
    # Non-blocking for every holder (the flag is the socket's, shared): two children accept on it during a
    # handover, and the one that loses a race for a connection must not block in accept().
    listener.setblocking(False)
    return Supervisor(listener).run()


if __name__ == "__main__":
    sys.exit(main())
