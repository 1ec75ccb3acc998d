// A container's output and a command run in it, over dockerode: what docker-engine.ts (and tests that
// hold a container of their own) use.

import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { isConflict } from '../errors.ts';
import { engineMessage } from './engine-error.ts';

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
    await sleep(10);
    info = await exec.inspect();
  }
  return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString('utf8') };
}

/**
 * A supervisor's warm standby names itself so (the process name, `comm`, that prctl sets): a spare
 * process that serves nothing until the supervisor hands it a restart, when it takes another name.
 */
export const STANDBY_PROCESS_NAME = 'mkdev-standby';

/**
 * The host pids of the processes its main process started (and theirs): every process but the ones
 * whose parent is outside the container (its main process, and commands exec'd into it), and warm
 * standbys (STANDBY_PROCESS_NAME). [] when it is not running. One `top` call: the engine lists the
 * container's processes with the host's ps.
 */
export async function childProcesses(container: Docker.Container): Promise<number[]> {
  let top: { Titles: string[]; Processes: string[][] };
  try {
    top = (await container.top({ ps_args: '-o pid,ppid,comm' })) as typeof top;
  } catch (error) {
    if (notRunning(error)) return [];
    throw error;
  }
  const pidAt = top.Titles.indexOf('PID');
  const ppidAt = top.Titles.indexOf('PPID');
  const nameAt = top.Titles.indexOf('COMMAND');
  const rows = (top.Processes ?? []).map((p) => ({
    pid: Number(p[pidAt]),
    ppid: Number(p[ppidAt]),
    name: p[nameAt],
  }));
  const inside = new Set(rows.map((r) => r.pid));
  return rows.filter((r) => inside.has(r.ppid) && r.name !== STANDBY_PROCESS_NAME).map((r) => r.pid);
}

/**
 * The engine's answers to `top` on a container that is not running: 409 once it has stopped, and while
 * its main process is exiting a 500 from containerd, whose connection to the container's shim closed
 * with it ("ttrpc: closed", seen when a bad edit made the service exit as `watch` listed its processes).
 */
function notRunning(error: unknown): boolean {
  if (isConflict(error)) return true;
  return (
    (error as { statusCode?: number }).statusCode === 500 &&
    /ttrpc: closed|is not running/i.test(engineMessage(error))
  );
}
