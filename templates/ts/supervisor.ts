// PID 1 of the service's container: runs src/main.ts as a child, and on SIGHUP replaces that child with a
// new one in the same container, so that `mkdev watch` serves an edit without a container restart
// (the image's label dev.mkdev.restart-signal=SIGHUP tells it to send SIGHUP instead of restarting).
//
// The replacement overlaps: the new child starts beside the old one, listens on the same socket and
// registers the same instance on Consul (same ID, address and port: idempotent); only once it says it is
// ready does the old one leave, without deregistering. The instance never disappears from Consul, so Kong
// never caches "not found", and no connection is refused in between: the listening socket is one, shared
// by both children (cluster's SCHED_NONE: this process binds it, each child accepts on it).
//
// A warm standby takes most of the new child's start off the edit's path (standby.ts): a child that has
// started Node and loaded the tracing SDK and the dependencies, but not the service's modules. At SIGHUP
// it imports the service and goes through the same handover. The next standby starts at the handover, once
// the new child serves: its warm-up (~0.4 s of CPU, the SDK) then overlaps the old child's leaving, so that
// an edit that follows soon after finds it warm sooner, and it does not compete for CPU with the child
// getting ready, whose start is the edit's wait. A standby that loaded a file that changed since it started is not used (a cold child starts instead), and
// one that dies is replaced.
//
// SIGTERM and SIGINT are a normal stop: forwarded to the children (which deregister), and this process
// exits with the child's status, so `docker stop` and `mkdev down` behave as without it. A child that
// exits by itself (a crash, or a new child that fails after a bad edit) ends the container with its
// status, as a crash did before: `mkdev watch` reports it, and its next sync restarts the container.
//
// SIGUSR2 parks the service (`mkdev run`, while a process on the host stands in for it; the image's label
// dev.mkdev.park-signal=SIGUSR2 tells mkdev so): the child stops as on a normal stop (deregisters, closes
// RabbitMQ) and this process stays, with no child but the warm standby, until SIGHUP starts one again
// (from the standby when it is warm and fresh). The way back is then a process start, not a container
// start. Parked, SIGTERM ends the container at once, with status 0.
import cluster, { type ClusterSettings, type Worker } from 'node:cluster';
import { statSync } from 'node:fs';
import { constants } from 'node:os';

const COLD: ClusterSettings = {
  exec: 'src/main.ts',
  // --import sets up OpenTelemetry before the service's modules load (src/tracing.ts says why).
  execArgv: ['--disable-warning=ExperimentalWarning', '--import', './src/tracing.ts'],
};
const STANDBY: ClusterSettings = { exec: 'standby.ts', execArgv: ['--disable-warning=ExperimentalWarning'] };
cluster.schedulingPolicy = cluster.SCHED_NONE;
cluster.setupPrimary(COLD);

const log = (message: string) => console.log(`[supervisor] ${message}`);
let current: Worker;
let next: Worker | undefined;
let again = false;
let stopping: NodeJS.Signals | undefined;
let status = 0;

function start(): Worker {
  return supervise(cluster.fork({ MKDEV_SUPERVISED: '1' }));
}

/** A child that may become the one serving: its "ready" hands over to it, its exit is seen to. */
function supervise(child: Worker): Worker {
  child.on('message', (message: { mkdev?: string }) => {
    if (message?.mkdev === 'ready' && child === next) handOver(child);
  });
  child.on('exit', (code, signal) =>
    exited(child, signal ? 128 + (constants.signals[signal as NodeJS.Signals] ?? 0) : (code ?? 1)),
  );
  return child;
}

/** The new child serves: the old one leaves, keeping the registration they share. */
function handOver(child: Worker): void {
  const old = current;
  current = child;
  next = undefined;
  log(`child ${child.process.pid} serves; child ${old.process.pid} leaves`);
  if (old.isConnected()) old.send({ mkdev: 'handover' });
  // Not once the old child has left: an edit soon after this one would wait for the standby's warm-up.
  keepStandby();
  if (again) restart();
}

function restart(): void {
  if (stopping) return;
  // A restart asked for while one is under way starts once that one is done (its files may predate it).
  if (next) {
    again = true;
    return;
  }
  again = false;
  next = fromStandby() ?? start();
  log(`restarting: child ${next.process.pid} starts beside ${current.process.pid}`);
}

function exited(child: Worker, code: number): void {
  if (parkedExit()) return;
  const live = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined && !w.isDead());
  if (stopping) {
    if (child === current) status = code;
    if (live.length === 0) process.exit(status);
    return;
  }
  if (child !== current && child !== next) return; // a child that handed over
  // Ends the container with this child's status: a crash, or a new child that failed to start.
  log(`child ${child.process.pid} exited with status ${code}: stopping`);
  status = code;
  stop('SIGTERM');
  if (live.length === 0) process.exit(status);
}

function stop(signal: NodeJS.Signals): void {
  stopping = signal;
  for (const w of Object.values(cluster.workers ?? {})) w?.process.kill(signal);
}

// The warm standby (standby.ts). `files`: what it loaded, once it says it is warm; `since`: when it started.
const standby: { worker?: Worker; files?: string[]; since: number; failures: number; went?: Worker } = {
  since: 0,
  failures: 0,
};
/** A file written this close before the standby started may have a ctime just before `since` (the kernel's coarse clock). */
const CLOCK_SLACK_MS = 50;

/** Starts a standby unless one runs, the container is stopping or a restart is under way. */
function keepStandby(): void {
  if (standby.worker || stopping || next) return;
  cluster.setupPrimary(STANDBY);
  standby.since = Date.now();
  const worker = cluster.fork({ MKDEV_SUPERVISED: '1' });
  cluster.setupPrimary(COLD);
  standby.worker = worker;
  standby.files = undefined;
  worker.on('message', (message: { mkdev?: string; files?: string[] }) => {
    if (message?.mkdev !== 'warm') return;
    standby.files = message.files ?? [];
    standby.failures = 0;
    log(`standby ${worker.process.pid} is warm (${standby.files.length} files loaded)`);
    // Asked for while it warmed up: it goes now, or a cold child starts instead.
    if (worker === next && !goIfFresh(worker)) next = start();
  });
  worker.on('exit', (code, signal) => {
    const status = signal ? 128 + (constants.signals[signal as NodeJS.Signals] ?? 0) : (code ?? 1);
    if (stopping) exited(worker, status);
    else if (worker === standby.worker) standbyExited(status);
    else if (worker === next && standby.went !== worker) {
      // Taken while warming up, it died before it was told to go: the standby's failure, not the edit's.
      log(
        `standby ${worker.process.pid} exited with status ${status} before it went: a cold child starts instead`,
      );
      next = start();
    }
  });
}

/** The standby as the next child, or undefined (none, or stale: a cold child starts). */
function fromStandby(): Worker | undefined {
  const worker = standby.worker;
  if (!worker?.isConnected()) return undefined;
  standby.worker = undefined;
  // Still warming up, it goes once warm: still ahead of a cold child.
  if (standby.files && !goIfFresh(worker)) return undefined;
  return supervise(worker);
}

/** Tells the standby to load the service, unless a file it loaded changed since (it leaves then). */
function goIfFresh(worker: Worker): boolean {
  const stale = staleFile(standby.files ?? [], standby.since);
  if (stale === undefined) {
    log(`child ${worker.process.pid} starts from the warm standby`);
    standby.went = worker;
    worker.send({ mkdev: 'go' });
    return true;
  }
  log(`standby ${worker.process.pid} loaded ${stale}, changed since it started: a cold child starts instead`);
  worker.process.kill('SIGTERM');
  return false;
}

/** The first of `files` that changed (or went away) since `since`, by its ctime (set at every write). */
function staleFile(files: readonly string[], since: number): string | undefined {
  for (const file of files) {
    try {
      if (statSync(file).ctimeMs >= since - CLOCK_SLACK_MS) return file;
    } catch {
      return file;
    }
  }
  return undefined;
}

/** A standby that died is replaced, later each time it fails again before warm; it never ends the container. */
function standbyExited(code: number): void {
  standby.worker = undefined;
  standby.failures++;
  const delay = Math.min(1_000 * 2 ** (standby.failures - 1), 60_000);
  log(`standby exited with status ${code}: a new one starts in ${delay / 1000} s`);
  setTimeout(keepStandby, delay).unref();
}

// Parking: `parked` from SIGUSR2 to the SIGHUP that ends it; `held` keeps this process alive meanwhile
// (its signal handlers alone would not); `unparked` is a SIGHUP that came while the child still left.
let parked = false;
let unparked = false;
let held: NodeJS.Timeout | undefined;

/** The children that serve or may serve: every live worker but the unused warm standby. */
function liveChildren(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter(
    (w): w is Worker => w !== undefined && !w.isDead() && w !== standby.worker,
  );
}

function park(): void {
  if (stopping || parked) return;
  parked = true;
  again = false;
  next = undefined;
  held = setInterval(() => {}, 1 << 30);
  log('parked: the child stops; SIGHUP starts one again');
  for (const w of liveChildren()) w.process.kill('SIGTERM');
}

/** SIGHUP while parked starts a child (once the parked one has left: it deregisters what the new one registers). */
function unpark(): boolean {
  if (!parked) return false;
  if (liveChildren().length > 0) unparked = true;
  else resume();
  return true;
}

function resume(): void {
  parked = false;
  unparked = false;
  clearInterval(held);
  current = warmStandby() ?? start();
  log(`unparked: child ${current.process.pid} starts`);
  keepStandbyOnceReady(current);
}

/** The standby, told to go, if it is warm and loaded nothing that changed since; otherwise it leaves. */
function warmStandby(): Worker | undefined {
  const worker = standby.worker;
  if (!worker?.isConnected()) return undefined;
  standby.worker = undefined;
  if (standby.files && goIfFresh(worker)) return supervise(worker);
  worker.process.kill('SIGTERM');
  return undefined;
}

/** A child's exit while parked: the container stays (or ends with status 0 if it was asked to stop). */
function parkedExit(): boolean {
  if (!parked) return false;
  if (liveChildren().length > 0) return true;
  if (stopping) process.exit(0);
  if (unparked) resume();
  return true;
}

/** SIGTERM or SIGINT while parked: nothing to wait for once no child is left. */
function stopParked(): void {
  if (parked && liveChildren().length === 0) process.exit(0);
}

/** A standby starts once `child` serves, so that it does not compete for CPU with the child's start. */
function keepStandbyOnceReady(child: Worker): void {
  child.once('message', function first(message: { mkdev?: string }) {
    if (message?.mkdev === 'ready') keepStandby();
    else child.once('message', first);
  });
}

process.on('SIGHUP', () => unpark() || restart());
process.on('SIGUSR2', park);
process.on('SIGTERM', () => {
  stop('SIGTERM');
  stopParked();
});
process.on('SIGINT', () => {
  stop('SIGINT');
  stopParked();
});
current = start();
keepStandbyOnceReady(current);
