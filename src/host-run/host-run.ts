// `mkdev run <service> -- <command>`: the command runs on the host, in place of the service's
// containers, with the service's environment resolved for the host; Kong reaches it through Consul at
// host.docker.internal (engine/host-address.ts). The swap never leaves Consul without an instance, in
// either direction, because a lookup that finds none is cached by Kong as "not found"
// (KONG_DNS_NOT_FOUND_TTL, per nginx worker: kong/resty/dns/client.lua `cacheinsert`) and answered 503
// `name resolution failed` meanwhile, even after the next instance has registered:
// - in: the host process starts beside the containers; once it serves and Consul lists it passing,
//   the containers leave Consul and are parked (their supervisor stops the service's process and stays:
//   park.ts) or, when their image cannot park, stopped; "ready" once requests through Kong reach it;
// - out (a signal to mkdev): the containers' service starts again and becomes ready beside the host
//   process (unchanged ones as soon as the bring-up has planned, overlapping its checks: a parked one's
//   process, a stopped one's container); then it leaves Consul and gets the signal (its whole process
//   group). A second signal kills the group.
// When the command ends by itself there is no instance until the containers are back: nothing to
// route to. A record makes a killed mkdev's leftovers repairable (repair.ts).
import type { Engine, HostAddress } from '../engine/engine.ts';
import { currentOwner, processStartTime } from '../engine/owner.ts';
import { UsageError, UserError } from '../errors.ts';
import type { EventSink } from '../plan/events.ts';
import { bringUp } from '../project/bring-up.ts';
import { projectPeers } from '../project/peers.ts';
import { type RunRecord, removeRecord, writeRecord } from '../project/run-record.ts';
import { registerOnConsul } from '../register/consul.ts';
import { waitEdges } from '../stack/graph.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import { deregisterAt, drained } from './consul-instances.ts';
import { freePort } from './free-port.ts';
import { hostEnvironment } from './host-environment.ts';
import { checkHostNode } from './host-node.ts';
import { type HostProcess, startHostProcess } from './host-process.ts';
import { type HostTarget, readyTimeoutMs, waitRouted, waitServing } from './host-ready.ts';
import { canPark, isParked, unpark } from './park.ts';
import {
  listedInConsul,
  parkedAndKept,
  retireContainers,
  runningContainers,
  type ServiceContainer,
  startsAsTheyAre,
} from './service-containers.ts';
import { type StopSignals, watchStopSignals } from './stop-signals.ts';

export interface HostRunOptions {
  readonly stack: Stack;
  readonly engine: Engine;
  readonly host: string;
  readonly service: string;
  readonly command: readonly string[];
  readonly cwd: string;
  readonly signal: AbortSignal;
  readonly onEvent: EventSink;
  /** mkdev's own lines (the process has the terminal's stdout and stderr too). */
  readonly log: (line: string) => void;
}

function serviceOf(stack: Stack, name: string): ServiceSpec {
  const service = stack.services[name];
  if (service === undefined) {
    throw new UsageError(
      `no service '${name}' in this stack`,
      `services are: ${Object.keys(stack.services).join(', ')}`,
    );
  }
  if (service.oneShot) throw new UserError(`${name} is a one-shot job: there is nothing to route to it`);
  return service;
}

async function refuseRootless(engine: Engine): Promise<void> {
  if ((await engine.connection.traits()).rootless) {
    throw new UserError('mkdev run does not work with rootless Docker yet', {
      hint: "its host-gateway is an address inside rootlesskit's network namespace, which no process on the host listens on; use a rootful engine for mkdev run",
    });
  }
}

/** Where the host process listens (and is reached from the project network), on a free port. */
async function listenAddress(engine: Engine, service: string): Promise<{ where: HostAddress; port: number }> {
  const where = await engine.hostAddress(service);
  return { where, port: await freePort(where.bind) };
}

export async function hostRun(options: HostRunOptions): Promise<number> {
  const { stack, engine, host, log } = options;
  const service = serviceOf(stack, options.service);
  const name = service.name;
  const [running] = await Promise.all([
    runningContainers(engine, name),
    checkHostNode(options.command, options.cwd, service.build?.context),
    refuseRootless(engine),
  ]);
  // The stack up first. The service's own running containers are left as they are, even when out of
  // date (an edit `mkdev watch` synced makes them so): recreating them now would leave the service
  // without an instance for the length of a rebuild, just before the host process replaces them; the
  // swap back brings them up to date. Missing or stopped, they are brought up, to come back at the end.
  // Where the host process listens is asked of the service's running containers meanwhile (an exec in
  // one of them: as long as the bring-up, on a loaded machine).
  const targets = running.length > 0 ? [...new Set(waitEdges(service).map((e) => e.on))] : [name];
  // Both settle before either's failure is thrown: nothing is left running behind an error.
  const [up, early] = await Promise.allSettled([
    targets.length > 0
      ? bringUp({
          stack,
          engine,
          host,
          services: targets,
          signal: options.signal,
          onEvent: options.onEvent,
        }).then((result) => result.observed)
      : engine.observe([]),
    running.length > 0 ? listenAddress(engine, name) : undefined,
  ]);
  if (up.status === 'rejected') throw up.reason;
  if (early.status === 'rejected') throw early.reason;
  const observed = up.value;
  const { where, port } = early.value ?? (await listenAddress(engine, name));
  const resolved = hostEnvironment(stack, service, observed, host, {
    address: where.inNetwork,
    bind: where.bind,
    port,
  });
  for (const ref of resolved.unresolved) log(`${ref} is not published on the host: left as it is`);
  const { consulUrl } = resolved;
  const containers = running.length > 0 ? running : await runningContainers(engine, name);
  // Wait for Consul to list the host process when the containers were listed (it registers itself)
  // or when mkdev registers it. Asked while the host process starts: it registers at its own address.
  const expectConsul: Promise<boolean> =
    consulUrl === undefined
      ? Promise.resolve(false)
      : service.register !== undefined
        ? Promise.resolve(true)
        : listedInConsul(consulUrl, containers);
  // An answer is awaited below; a failure before then must not be an unhandled rejection.
  expectConsul.catch(() => {});
  if (options.signal.aborted) throw options.signal.reason;

  let record: RunRecord = {
    project: stack.project,
    service: name,
    owner: currentOwner(),
    address: where.inNetwork,
    port,
    ...(consulUrl ? { consulUrl } : {}),
  };
  writeRecord(stack.projectDir, record);
  const stops = watchStopSignals();
  let child: HostProcess;
  try {
    child = await startHostProcess(options.command, { cwd: options.cwd, env: resolved.env });
  } catch (error) {
    stops.dispose();
    removeRecord(stack.projectDir, stack.project, name);
    throw error;
  }
  stops.onSecond(() => {
    log(`${name}: second signal: killing the host process group`);
    child.signalGroup('SIGKILL');
  });
  record = {
    ...record,
    child: { pid: child.pid, host: record.owner.host, startTime: processStartTime(child.pid) },
  };
  writeRecord(stack.projectDir, record);
  log(
    `${name}: running '${options.command.join(' ')}' on the host at ${where.bind}:${port} (Kong reaches it at ${where.inNetwork}:${port}); the containers stay until it serves`,
  );
  let failure: { error: unknown } | undefined;
  // The containers retired, once they are: parked ones get their process back on the way out.
  let retired: readonly ServiceContainer[] = [];
  try {
    if (service.register && consulUrl) {
      // It does not register itself (the registrator did, for its containers): mkdev does, with a TCP check.
      await registerOnConsul({
        consulUrl,
        id: `${service.register.name}-host`,
        name: service.register.name,
        address: where.inNetwork,
        port,
        check: {
          tcp: `${where.inNetwork}:${port}`,
          interval: '2s',
          timeout: '1s',
          deregisterCriticalServiceAfter: '1m',
        },
      });
    }
    const target: HostTarget = {
      bind: where.bind,
      inNetwork: where.inNetwork,
      port,
      consulUrl: (await expectConsul) ? consulUrl : undefined,
      peer: await projectPeers(engine, host),
    };
    const timeout = readyTimeoutMs(service);
    let serving = await waitServing(service, target, child.exited, stops.signal, timeout);
    if (!serving && !child.hasExited() && !stops.signal.aborted) {
      // A debugger may hold it (a breakpoint, --wait-for-client): the containers serve meanwhile.
      log(
        `${name}: the host process does not serve after ${timeout / 1000} s; its containers keep serving until it does`,
      );
      serving = await waitServing(service, target, child.exited, stops.signal, Number.POSITIVE_INFINITY);
    }
    if (serving) {
      retired = containers;
      await retireContainers(engine, containers, consulUrl, consulName(service));
      log(`${name}: the host process serves; its containers are parked or stopped`);
      const routed = await waitRouted(service, target, child.exited, stops.signal, (reason) =>
        log(`${name}: requests through Kong do not reach the host process yet: ${reason}`),
      );
      if (routed) log(`${name} on the host is ready: Kong and Consul route to ${where.inNetwork}:${port}`);
    }
    await Promise.race([child.exited, stops.requested]);
  } catch (error) {
    failure = { error };
  }
  // Whatever happened above (a failed registration included), the host process ends and the
  // containers come back.
  let exitCode: number;
  try {
    exitCode = await swapBack(options, service, record, child, stops, retired);
  } finally {
    stops.dispose();
    removeRecord(stack.projectDir, stack.project, name);
  }
  if (failure) throw failure.error;
  return exitCode;
}

/** The containers back and ready, nothing in Consul pointing at the host process, which has ended. */
async function swapBack(
  options: HostRunOptions,
  service: ServiceSpec,
  record: RunRecord,
  child: HostProcess,
  stops: StopSignals,
  retired: readonly ServiceContainer[],
): Promise<number> {
  const { log } = options;
  const forget = async () => {
    if (record.consulUrl === undefined) return;
    await deregisterAt(record.consulUrl, record.address, record.port).catch((e: Error) =>
      log(`deregistering ${record.address}:${record.port} from Consul failed: ${e.message}`),
    );
  };
  if (child.hasExited()) {
    log(`${service.name}: the host process ended; starting its containers again`);
    await forget();
    await restoreContainers(options, service, retired);
    return child.exited;
  }
  // A stop was asked for while it runs: it keeps serving until the containers can take over.
  const signal = stops.signal.aborted ? await stops.requested : 'SIGTERM';
  log(
    `${service.name}: ${signal}: starting its containers before stopping the host process (again: stop it now)`,
  );
  try {
    await restoreContainers(options, service, retired);
  } finally {
    await forget();
    await drain(record, service);
    child.signalGroup(signal);
  }
  return child.exited;
}

/** Until Kong stops sending the host process requests (consul-instances.ts drained). */
async function drain(record: RunRecord, service: ServiceSpec): Promise<void> {
  if (record.consulUrl === undefined) return;
  await drained(record.consulUrl, consulName(service), [record.address], record.port);
}

/** The name the service is listed under in Consul: its own, or the registrator's `register.name`. */
export function consulName(service: ServiceSpec): string {
  return service.register?.name ?? service.name;
}

async function restoreContainers(
  options: HostRunOptions,
  service: ServiceSpec,
  retired: readonly ServiceContainer[],
): Promise<void> {
  const { stack, engine, host } = options;
  let early: Promise<unknown> = Promise.resolve();
  let planned = false;
  try {
    // Its own signal: the first Ctrl-C already aborted the command's, and the containers must come back.
    await bringUp({
      stack,
      engine,
      host,
      services: [service.name],
      signal: new AbortController().signal,
      ownHostRun: service.name,
      onEvent: options.onEvent,
      // The executor's own start of them is then a no-op; a failed early start is left to it. A parked
      // one the plan keeps is the executor's to wait for, not to start: its process starts here.
      onPlan: (plan) => {
        planned = true;
        // Edited while the host process ran (a new package-lock.json from `npm install`, say): the way
        // back builds first, which can take a while; said, so that the wait is not a silent one.
        const own = plan.services[service.name];
        if (own?.image === 'build') {
          options.log(
            `${service.name}: ${own.imageCause}: building its image before its containers come back`,
          );
        }
        const parked = parkedAndKept(plan, service.name, retired);
        early = Promise.all([
          ...startsAsTheyAre(plan, service.name).map((c) => engine.start(c).catch(() => {})),
          ...parked.map((c) => unpark(engine, c).catch(() => {})),
        ]);
      },
    });
    await early;
  } finally {
    // The bring-up failed before its plan: nothing resumed the parked containers. (Once planned, each
    // is resumed or the executor's: a SIGHUP to a container it just started could come before its
    // supervisor handles one, and end it.)
    if (!planned) await unparkLeftovers(engine, service.name, retired);
  }
  options.log(`${service.name}: containers ready again`);
}

/** Parked containers the bring-up did not resume (it failed before its plan): never left parked. */
async function unparkLeftovers(
  engine: Engine,
  service: string,
  retired: readonly ServiceContainer[],
): Promise<void> {
  const left = new Set(retired.filter(canPark).map((c) => c.id));
  if (left.size === 0) return;
  const now = (await engine.containers(service)).filter((c) => left.has(c.id));
  await Promise.all(
    now.map(async (c) => {
      if (await isParked(engine, c)) await unpark(engine, c);
    }),
  );
}
