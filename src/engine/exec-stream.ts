// Exec with streams: a command's input fed from a stream, and one container's output piped into another
// container's command (pg_dumpall in one, psql in the other) with backpressure end to end, so a dump
// of any size passes through in bounded memory and is never written to disk.

import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import type { ExecCommand, ExecOutcome, PipeOutcome } from './engine.ts';

/** A command and the container it runs in. */
export interface StreamCommand extends ExecCommand {
  readonly container: Docker.Container;
}

/**
 * The engine's multiplexed stream (8-byte header per frame: stream type, size) split as it flows:
 * stdout frames pass on, stderr frames are kept for the error message.
 */
class Demux extends Transform {
  #pending: Buffer = Buffer.alloc(0);
  readonly stderr: Buffer[] = [];
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (this.#pending.length >= 8) {
      const size = this.#pending.readUInt32BE(4);
      if (this.#pending.length < 8 + size) break;
      const payload = this.#pending.subarray(8, 8 + size);
      if (this.#pending[0] === 2) this.stderr.push(Buffer.from(payload));
      else this.push(payload);
      this.#pending = this.#pending.subarray(8 + size);
    }
    done();
  }
}

async function startExec(command: StreamCommand, stdin: boolean) {
  const exec = await command.container.exec({
    Cmd: [...command.cmd],
    AttachStdin: stdin,
    AttachStdout: true,
    AttachStderr: true,
    ...(command.user ? { User: command.user } : {}),
    ...(command.env ? { Env: Object.entries(command.env).map(([k, v]) => `${k}=${v}`) } : {}),
  });
  const stream = (await exec.start({ hijack: true, stdin })) as unknown as NodeJS.ReadWriteStream;
  return { exec, stream };
}

/** The exit code once the engine no longer reports the exec running (it may lag its stream's end). */
async function exitCodeOf(exec: Docker.Exec): Promise<number> {
  let info = await exec.inspect();
  for (let tries = 0; info.Running && tries < 500; tries++) {
    await sleep(10);
    info = await exec.inspect();
  }
  return info.ExitCode ?? -1;
}

/** What a stream carried, once it ends, closes or breaks (a broken pipe is reported by exit codes). */
function collect(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => {
    const settle = () => resolve(Buffer.concat(chunks).toString('utf8'));
    stream.on('end', settle);
    stream.on('close', settle);
    stream.on('error', settle);
  });
}

/** Runs a command with `input` on its stdin (closed at the input's end); its output in full. */
export async function execWithInput(command: StreamCommand, input: Readable | string): Promise<ExecOutcome> {
  const { exec, stream } = await startExec(command, true);
  const demux = new Demux();
  const output = collect(demux);
  const source = typeof input === 'string' ? Readable.from([Buffer.from(input)]) : input;
  // Ending stdin half-closes the hijacked connection: the command reads EOF, the output keeps coming.
  await Promise.all([pipeline(source, stream as unknown as NodeJS.WritableStream), pipeline(stream, demux)]);
  const stdout = await output;
  return { exitCode: await exitCodeOf(exec), stdout, stderr: Buffer.concat(demux.stderr).toString('utf8') };
}

/**
 * `from`'s stdout into `to`'s stdin, as a shell pipe would: both outcomes (`from`'s stdout is not kept)
 * and how many bytes passed.
 */
export async function execPipe(from: StreamCommand, to: StreamCommand): Promise<PipeOutcome> {
  const source = await startExec(from, false);
  const sink = await startExec(to, true);
  const fromDemux = new Demux();
  const toDemux = new Demux();
  const toOutput = collect(toDemux);
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const flows = await Promise.allSettled([
    pipeline(source.stream, fromDemux, counter, sink.stream as unknown as NodeJS.WritableStream),
    pipeline(sink.stream, toDemux),
  ]);
  const [fromCode, toCode] = await Promise.all([exitCodeOf(source.exec), exitCodeOf(sink.exec)]);
  // A command that fails part-way closes its end of the pipe under the other: its exit code and error
  // output say why, the broken stream only that it broke.
  const broken = flows.find((f) => f.status === 'rejected');
  if (broken && fromCode === 0 && toCode === 0) throw (broken as PromiseRejectedResult).reason;
  return {
    from: { exitCode: fromCode, stdout: '', stderr: Buffer.concat(fromDemux.stderr).toString('utf8') },
    to: { exitCode: toCode, stdout: await toOutput, stderr: Buffer.concat(toDemux.stderr).toString('utf8') },
    bytes,
  };
}
