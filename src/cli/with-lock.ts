// The CLI side of the per-project lock: --no-wait, and telling the user what we wait for.
import { lockProject } from '../project/project-lock.ts';
import { boolFlag, type ParsedValues } from './command.ts';

export const NO_WAIT_HELP =
  '      --no-wait         fail at once when another mkdev up/down of this project is running (default: wait for it)';

export async function withProjectLock<T>(
  project: string,
  command: string,
  input: { values: ParsedValues; signal?: AbortSignal },
  work: () => Promise<T>,
): Promise<T> {
  const lock = await lockProject(project, command, {
    wait: !boolFlag(input.values, 'no-wait'),
    ...(input.signal ? { signal: input.signal } : {}),
    onWait: (message) => process.stderr.write(`mkdev: ${message}\n`),
  });
  try {
    return await work();
  } finally {
    lock.release();
  }
}
