// `mkdev run <service> -- <command>`: the service's containers stop (they deregister), the command
// runs on the host with the service's environment resolved for the host, listening on the project
// network's gateway so Kong (in its container) reaches it through Consul; on exit it is deregistered
// and the containers come back, ready. A record makes a killed mkdev's leftovers repairable.
import type { Engine } from '../engine/engine.ts';
import { currentOwner, processStartTime } from '../engine/owner.ts';
import { UsageError, UserError } from '../errors.ts';
import type { EventSink } from '../plan/events.ts';
import { bringUp } from '../project/bring-up.ts';
import { projectPeers } from '../project/peers.ts';
import { registerOnConsul } from '../register/consul.ts';
import type { ServiceSpec, Stack } from '../stack/model.ts';
import { deregisterAt } from './consul-instances.ts';
import { freePort } from './free-port.ts';
import { hostEnvironment } from './host-environment.ts';
import { startHostProcess } from './host-process.ts';
import { waitHostReady } from './host-ready.ts';
import { type RunRecord, removeRecord, writeRecord } from './run-record.ts';

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

/** Stopped gracefully: each deregisters itself (or the registrator does it) before it exits. */
async function stopContainers(engine: Engine, service: string): Promise<void> {
  const running = (await engine.containers(service)).filter((c) => c.state === 'running');
  await Promise.all(running.map((c) => engine.stop(c)));
}

export async function hostRun(options: HostRunOptions): Promise<number> {
  const { stack, engine, host, log } = options;
  const service = serviceOf(stack, options.service);
  const name = service.name;
  // The stack (with this service) up first: its dependencies must run, and its containers must
  // exist to come back at the end.
  await bringUp({ stack, engine, host, services: [name], signal: options.signal, onEvent: options.onEvent });
  const observed = await engine.observe();
  const address = await engine.networkGateway();
  const port = await freePort(address);
  const resolved = hostEnvironment(stack, service, observed, host, { address, port });
  for (const ref of resolved.unresolved) log(`${ref} is not published on the host: left as it is`);
  let record: RunRecord = {
    project: stack.project,
    service: name,
    owner: currentOwner(),
    address,
    port,
    ...(resolved.consulUrl ? { consulUrl: resolved.consulUrl } : {}),
  };
  writeRecord(stack.projectDir, record);
  await stopContainers(engine, name);
  log(
    `${name}: containers stopped; running '${options.command.join(' ')}' on the host at ${address}:${port}`,
  );
  let exitCode: number;
  try {
    const child = await startHostProcess(options.command, { cwd: options.cwd, env: resolved.env });
    record = {
      ...record,
      child: { pid: child.pid, host: record.owner.host, startTime: processStartTime(child.pid) },
    };
    writeRecord(stack.projectDir, record);
    if (service.register && resolved.consulUrl) {
      // It does not register itself (the registrator did, for its containers): mkdev does, with a TCP check.
      await registerOnConsul({
        consulUrl: resolved.consulUrl,
        id: `${service.register.name}-host`,
        name: service.register.name,
        address,
        port,
        check: {
          tcp: `${address}:${port}`,
          interval: '2s',
          timeout: '1s',
          deregisterCriticalServiceAfter: '1m',
        },
      });
    }
    const peer = await projectPeers(engine, host);
    const ready = waitHostReady(service, address, port, child.exited, peer);
    void ready.then((ok) => {
      if (ok) log(`${name} on the host is ready: Kong and Consul route to ${address}:${port}`);
    });
    exitCode = await child.exited;
  } finally {
    await restore(options, service, record);
  }
  return exitCode;
}

/** Nothing left pointing at the host process; the containers back and ready. */
async function restore(options: HostRunOptions, service: ServiceSpec, record: RunRecord): Promise<void> {
  const { stack, engine, host, log } = options;
  if (record.consulUrl) {
    await deregisterAt(record.consulUrl, record.address, record.port).catch((e: Error) =>
      log(`deregistering ${record.address}:${record.port} from Consul failed: ${e.message}`),
    );
  }
  log(`${service.name}: the host process ended; starting its containers again`);
  try {
    // Its own signal: Ctrl-C already aborted the command's, and the containers must come back.
    await bringUp({
      stack,
      engine,
      host,
      services: [service.name],
      signal: new AbortController().signal,
      onEvent: options.onEvent,
    });
    log(`${service.name}: containers ready again`);
  } finally {
    removeRecord(stack.projectDir, stack.project, service.name);
  }
}
