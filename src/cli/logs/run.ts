import { UsageError } from '../../errors.ts';
import { logPrefix } from '../../output/style.ts';
import { followLogs, sinceSeconds } from '../../project/follow-logs.ts';
import { boolFlag, type CommandRun, projectRef, stringFlag } from '../command.ts';
import { EXIT_OK } from '../errors.ts';
import { openProject } from '../open-project.ts';

export const run: CommandRun = async ({ values, positionals, cwd, signal }) => {
  const tail = stringFlag(values, 'tail');
  if (tail !== undefined && tail !== 'all' && !/^\d+$/.test(tail)) {
    throw new UsageError(`--tail takes a number of lines or 'all', not '${tail}'`, 'e.g. --tail 100');
  }
  const since = stringFlag(values, 'since');
  if (since !== undefined && sinceSeconds(since) === undefined) {
    throw new UsageError(
      `--since takes a duration or a timestamp, not '${since}'`,
      'e.g. --since 30s, --since 10m, --since 2h or --since 2026-01-31T12:00:00Z',
    );
  }
  const { stack, engine } = await openProject(projectRef(values), cwd);
  for (const name of positionals) {
    if (!(name in stack.services))
      throw new UsageError(
        `no service '${name}' in this stack`,
        `services are: ${Object.keys(stack.services).join(', ')}`,
      );
  }
  await followLogs(engine, {
    services: positionals,
    follow: boolFlag(values, 'follow'),
    signal,
    prefix: logPrefix,
    ...(since ? { since } : {}),
    ...(tail ? { tail } : {}),
  });
  return EXIT_OK;
};
