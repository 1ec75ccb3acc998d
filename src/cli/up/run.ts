import { UsageError } from '../../errors.ts';
import { jsonPlan, renderPlan } from '../../output/plan-output.ts';
import { chooseReporter, createReporter } from '../../output/progress-reporter.ts';
import { logPrefix, style } from '../../output/style.ts';
import { renderTable } from '../../output/table.ts';
import { renderTimeline } from '../../output/timeline.ts';
import { criticalPath } from '../../plan/critical-path.ts';
import { isNoop, PULL_POLICIES, type PullPolicy } from '../../plan/plan.ts';
import { bringUp, planUp } from '../../project/bring-up.ts';
import { saveLastUp } from '../../project/last-up.ts';
import type { Stack } from '../../stack/model.ts';
import { projectNameFor } from '../../stack/project-name.ts';
import {
  boolFlag,
  type CommandInput,
  type CommandRun,
  type ParsedValues,
  projectRef,
  stringFlag,
} from '../command.ts';
import { EXIT_OK } from '../errors.ts';
import { maskedError, openProject } from '../open-project.ts';
import { withProjectLock } from '../with-lock.ts';

// The lock comes before the stack is read: a waiting up must read the secrets the other one wrote,
// or it would plan with passwords of its own and recreate everything. What follows a ready stack
// (--watch, --attach) lasts until Ctrl-C and runs once the lock is released: another terminal's up
// or down must not wait for it (`mkdev watch` does the same).
export const run: CommandRun = async (input) => {
  pullPolicy(input.values);
  // A dry run changes nothing: it neither waits for nor holds the lock.
  if (boolFlag(input.values, 'dry-run')) return dryRun(input);
  const then = await withProjectLock(
    await projectNameFor(projectRef(input.values), input.cwd),
    'up',
    input,
    () => up(input),
  );
  return then();
};

const dryRun: CommandRun = async ({ values, positionals, cwd }) => {
  for (const flag of ['watch', 'attach']) {
    if (boolFlag(values, flag)) {
      throw new UsageError(
        `--dry-run only prints what up would do: it cannot --${flag}`,
        'drop one of the two',
      );
    }
  }
  const { stack, engine } = await openProject(projectRef(values), cwd, { changeNothing: true });
  const { plan } = await planUp({ stack, engine, services: positionals, pull: pullPolicy(values) });
  process.stdout.write(boolFlag(values, 'json') ? jsonPlan(plan) : renderPlan(plan));
  return EXIT_OK;
};

/** `--pull missing|always|never`, checked before anything is opened. */
function pullPolicy(values: ParsedValues): PullPolicy {
  const given = stringFlag(values, 'pull') ?? 'missing';
  const policy = PULL_POLICIES.find((p) => p === given);
  if (policy === undefined) {
    throw new UsageError(`--pull ${given}: not a pull policy`, `use one of: ${PULL_POLICIES.join(', ')}`);
  }
  return policy;
}

/** Brings the stack up and prints it; returns what follows (watching, following logs, or nothing). */
async function up({ values, positionals, cwd, signal }: CommandInput): Promise<() => Promise<number>> {
  const json = boolFlag(values, 'json');
  const pull = pullPolicy(values);
  const { stack, engine, host, mask } = await openProject(projectRef(values), cwd, {
    showSecrets: boolFlag(values, 'show-secrets'),
  });
  // --watch: checked before anything starts, and containers only watch changed are synced, not rebuilt.
  const watching = boolFlag(values, 'watch')
    ? await (await import('../../watch/start-watch.ts')).prepareWatch(engine, stack, positionals)
    : undefined;
  const reporter = await createReporter(chooseReporter(json), mask);
  const started = Date.now();
  let noop = false;
  try {
    const result = await bringUp({
      stack,
      engine,
      host,
      services: positionals,
      pull,
      ...(watching ? { hashes: watching.start.hashes } : {}),
      signal,
      onEvent: (e) => reporter.event(e),
      onPlan: (plan) => {
        noop = isNoop(plan);
        reporter.start(Object.keys(plan.services));
      },
    });
    await reporter.stop();
    const totalMs = Date.now() - started;
    if (!noop) saveLastUp(stack, result.execution.timeline, totalMs);
    if (json) printJsonSummary(stack, result, mask, noop, totalMs);
    else printSummary(stack, result, mask, noop, totalMs, boolFlag(values, 'show-secrets'));
  } catch (error) {
    throw maskedError(error, mask);
  } finally {
    await reporter.stop();
  }
  return async () => {
    try {
      if (watching) {
        const { watchWithOutput } = await import('../watch/watch-output.ts');
        return await watchWithOutput({ stack, engine, host, watching, json, signal });
      }
      if (boolFlag(values, 'attach')) {
        const { followLogs } = await import('../../project/follow-logs.ts');
        await followLogs(engine, { services: positionals, follow: true, signal, prefix: logPrefix });
      }
      return EXIT_OK;
    } catch (error) {
      throw maskedError(error, mask);
    }
  };
}

type UpResult = Awaited<ReturnType<typeof bringUp>>;

function printJsonSummary(
  stack: Stack,
  result: UpResult,
  mask: (text: string) => string,
  noop: boolean,
  totalMs: number,
): void {
  process.stdout.write(
    `${JSON.stringify({
      type: 'summary',
      project: stack.project,
      ok: true,
      changed: !noop,
      totalMs,
      endpoints: Object.fromEntries(result.endpoints.map((e) => [e.name, mask(e.value)])),
      timeline: result.execution.timeline,
      criticalPath: criticalPath(stack, result.execution.timeline),
    })}\n`,
  );
}

function printSummary(
  stack: Stack,
  result: UpResult,
  mask: (text: string) => string,
  noop: boolean,
  totalMs: number,
  showSecrets: boolean,
): void {
  const out = process.stdout;
  out.write(
    `\n${style('bold', `${stack.project} is ready`)} in ${(totalMs / 1000).toFixed(1)} s${noop ? ' (nothing changed)' : ''}\n\n`,
  );
  out.write(
    `${renderTable(
      ['SERVICE', 'ENDPOINT', 'VALUE'],
      result.endpoints.map((e) => [e.service, e.name, mask(e.value)]),
    )}\n\n`,
  );
  out.write(`${renderTimeline(stack, result.execution.timeline)}\n`);
  if (!showSecrets && stack.secrets.length > 0) {
    out.write(style('dim', `credentials are hidden; 'mkdev env --show-secrets' prints them\n`));
  }
}
