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
// SIGTERM and SIGINT are a normal stop: forwarded to the children (which deregister), and this process
// exits with the child's status, so `docker stop` and `mkdev down` behave as without it. A child that
// exits by itself (a crash, or a new child that fails after a bad edit) ends the container with its
// status, as a crash did before: `mkdev watch` reports it, and its next sync restarts the container.
//
// SIGUSR2 parks the service (`mkdev run`, while a process on the host stands in for it; the image's label
// dev.mkdev.park-signal=SIGUSR2 tells mkdev so): the child stops as on a normal stop (deregisters, closes
// RabbitMQ) and this process stays, with no child, until SIGHUP starts one again. The way back is then a
// process start, not a container start. Parked, SIGTERM ends the container at once, with status 0.
import cluster, { type Worker } from 'node:cluster';
import { constants } from 'node:os';

cluster.schedulingPolicy = cluster.SCHED_NONE;
cluster.setupPrimary({
  exec: 'src/main.ts',
  // --import sets up OpenTelemetry before the service's modules load (src/tracing.ts says why).
  execArgv: ['--disable-warning=ExperimentalWarning', '--import', './src/tracing.ts'],
});

const log = (message: string) => console.log(`[supervisor] ${message}`);
let current: Worker;
let next: Worker | undefined;
let again = false;
let stopping: NodeJS.Signals | undefined;
let status = 0;

function start(): Worker {
  const child = cluster.fork({ MKDEV_SUPERVISED: '1' });
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
  next = start();
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

// Parking: `parked` from SIGUSR2 to the SIGHUP that ends it; `held` keeps this process alive meanwhile
// (its signal handlers alone would not); `unparked` is a SIGHUP that came while the child still left.
let parked = false;
let unparked = false;
let held: NodeJS.Timeout | undefined;

function liveChildren(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
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
  current = start();
  log(`unparked: child ${current.process.pid} starts`);
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
