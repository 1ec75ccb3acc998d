// `npm run bench -- --only fresh-machine`: the fresh-machine check (scripts/fresh-machine.sh, as CI
// runs it), its duration step by step into bench/history.ndjson. Once per bench run: one check takes
// minutes, and most of it is Debian's packages and npm, not mkdev.
import { mustSucceed, runTimed } from './process.ts';
import type { ScenarioContext } from './scenario-context.ts';

/** "  <step name>   <seconds>  [CPU <seconds>]" lines of the check's closing summary. */
export function parseStepDurations(output: string): { step: string; seconds: number; cpu?: number }[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.startsWith('fresh-machine: step durations'));
  if (start < 0) return [];
  const steps = [];
  for (const line of lines.slice(start + 1)) {
    const m = /^ {2}(.+?)\s{2,}(\d+(?:\.\d+)?)(?:\s+CPU (\d+(?:\.\d+)?))?\s*$/.exec(line);
    if (m === null) break;
    steps.push({
      step: m[1] as string,
      seconds: Number(m[2]),
      ...(m[3] === undefined ? {} : { cpu: Number(m[3]) }),
    });
  }
  return steps;
}

export async function freshMachineScenario(ctx: ScenarioContext, root: string): Promise<void> {
  ctx.log('fresh-machine: bash scripts/fresh-machine.sh');
  const run = mustSucceed(
    'scripts/fresh-machine.sh',
    await runTimed('bash', ['scripts/fresh-machine.sh'], { cwd: root, timeoutMs: 3_600_000 }),
  );
  const steps = parseStepDurations(run.stdout);
  if (steps.length === 0) throw new Error('fresh-machine: no step durations in the output');
  for (const { step, seconds, cpu } of steps) {
    ctx.add(`fresh-machine: ${step}`, seconds * 1000);
    if (cpu !== undefined) ctx.add(`fresh-machine: ${step} (CPU in the container)`, cpu * 1000);
  }
  ctx.add('fresh-machine: whole check', run.ms);
  ctx.log(`fresh-machine: passed in ${(run.ms / 1000).toFixed(0)} s, ${steps.length} steps`);
}
