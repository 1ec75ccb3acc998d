// The host process of `mkdev run`: spawned with the terminal (a debugger's prompt works), signals
// forwarded, and its end reported as a shell would: its exit code, or 128 + the signal's number.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { UserError } from '../errors.ts';

export interface HostProcess {
  readonly pid: number;
  /** Resolves with the exit code mkdev should exit with. */
  readonly exited: Promise<number>;
}

export function startHostProcess(
  command: readonly string[],
  options: { cwd: string; env: Readonly<Record<string, string>> },
): Promise<HostProcess> {
  const [file, ...args] = command;
  if (file === undefined) throw new UserError('no command to run');
  const child = spawn(file, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: 'inherit',
  });
  // A terminal's Ctrl-C reaches the child itself (same process group); SIGTERM from a supervisor
  // (an IDE's stop button) reaches mkdev only: forwarded either way, handlers are idempotent.
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, signal) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve({ pid: child.pid as number, exited }));
    child.once('error', (error: NodeJS.ErrnoException) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      reject(
        new UserError(
          `cannot start ${file}: ${error.code === 'ENOENT' ? 'no such command' : error.message}`,
          {
            hint: 'give the command after --, e.g. mkdev run orders -- node src/main.ts',
          },
        ),
      );
    });
  });
}
