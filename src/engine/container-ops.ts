// Operations on one container: ports, exec, logs, exit. Shared by readiness, `logs` and failure reports.
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import type { ProbeTarget } from '../readiness/probe.ts';

async function publishedPorts(container: Docker.Container): Promise<Record<string, number>> {
  const info = await container.inspect();
  const ports: Record<string, number> = {};
  for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const hostPort = bindings?.[0]?.HostPort;
    if (hostPort) ports[key] = Number(hostPort);
  }
  return ports;
}

/** Demultiplexes the engine's log stream (non-TTY containers) into text. */
export function demuxToText(buffer: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const size = buffer.readUInt32BE(offset + 4);
    chunks.push(buffer.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return offset === 0 && buffer.length > 0 ? buffer.toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

export async function logTail(container: Docker.Container, lines = 20): Promise<string> {
  try {
    const raw = (await container.logs({
      stdout: true,
      stderr: true,
      tail: lines,
      follow: false,
    })) as unknown as Buffer;
    return demuxToText(raw).trimEnd();
  } catch {
    return '';
  }
}

export async function allLogs(container: Docker.Container): Promise<string> {
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
  return demuxToText(raw);
}

export async function execIn(
  container: Docker.Container,
  command: readonly string[],
): Promise<{ exitCode: number; output: string }> {
  const exec = await container.exec({ Cmd: [...command], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  container.modem.demuxStream(stream, out, out);
  await new Promise<void>((resolve) => stream.on('end', () => resolve()));
  // The engine can still report the exec as running for a moment after its stream ended.
  let info = await exec.inspect();
  for (let tries = 0; info.Running && tries < 200; tries++) {
    await new Promise((r) => setTimeout(r, 10));
    info = await exec.inspect();
  }
  return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString('utf8') };
}

/** A readiness target for a started container; ports are read once, after start. */
export async function probeTargetFor(container: Docker.Container, host: string): Promise<ProbeTarget> {
  return probeTargetWithPorts(container, host, await publishedPorts(container));
}

/** A readiness target from ports already read (a project listing has them): no inspect per container. */
export function probeTargetWithPorts(
  container: Docker.Container,
  host: string,
  ports: Readonly<Record<string, number>>,
): ProbeTarget {
  return {
    host,
    hostPort: (port, protocol = 'tcp') => ports[`${port}/${protocol}`],
    exec: (command) => execIn(container, command),
    logs: () => allLogs(container),
  };
}

const restartBaseline = new Map<string, number>();

/** Restarts during one `up` after which a service is reported as crash-looping rather than waited for. */
export const CRASH_LOOP_RESTARTS = 3;

/** Why a container can no longer become ready, or undefined while it runs. */
export async function whyDead(container: Docker.Container): Promise<string | undefined> {
  const { State, RestartCount } = await container.inspect();
  // A restart policy brings a crashed container back: one crash may be transient, a loop is not.
  // Counted from the first look in this process, so crashes healed long ago do not count.
  const baseline = restartBaseline.get(container.id) ?? RestartCount;
  restartBaseline.set(container.id, baseline);
  const restarts = RestartCount - baseline;
  if (restarts >= CRASH_LOOP_RESTARTS) {
    // A running container's ExitCode was reset by its restart: name it only while it is down.
    const code = State.Running ? '' : `, last exit code ${State.ExitCode}`;
    return `the container keeps exiting (restarted ${restarts} times while waiting${code})`;
  }
  if (State.Running || State.Restarting) return undefined;
  return `the container exited with code ${State.ExitCode}`;
}
