// The commands typed dozens of times a day, as process wall time on a healthy default stack, 15 runs
// each, beside `node -e 0` (Node's own start-up, the floor under every goal): --help, env, status,
// a no-op up, and the no-op up's peak RSS.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustSucceed, runTimed } from './process.ts';
import type { ScenarioContext } from './scenario-context.ts';

export const STARTUP_RUNS = 15;

export async function startupScenario(ctx: ScenarioContext, rep: number): Promise<void> {
  const project = `bu-${ctx.runId}-${rep}`;
  const cwd = mkdtempSync(join(tmpdir(), `${project}-`));
  try {
    mustSucceed('mkdev up', await ctx.mkdev(['up', '-p', project], cwd));
    // Interleaved, so that a burst of load on the shared machine hits every command alike.
    for (let i = 0; i < STARTUP_RUNS; i++) {
      ctx.add(
        'startup: node -e 0',
        mustSucceed('node -e 0', await runTimed(process.execPath, ['-e', '0'])).ms,
      );
      ctx.add('startup: --help', mustSucceed('--help', await ctx.mkdev(['--help'], cwd)).ms);
      ctx.add('startup: env', mustSucceed('env', await ctx.mkdev(['env', '-p', project], cwd)).ms);
      ctx.add('startup: status', mustSucceed('status', await ctx.mkdev(['status', '-p', project], cwd)).ms);
      const noop = mustSucceed('no-op up', await ctx.mkdev(['up', '-p', project], cwd, true));
      ctx.add('startup: no-op up', noop.ms);
      if (noop.peakRss !== undefined) ctx.add('rss startup: no-op up', noop.peakRss);
    }
    ctx.log(`rep ${rep}: startup commands measured ${STARTUP_RUNS} times each`);
  } finally {
    await ctx.mkdev(['down', '--volumes', '-t', '0', '-p', project], cwd);
    rmSync(cwd, { recursive: true, force: true });
  }
}
