// What a bench scenario gets from bench/run.ts: the CLI runner, where to add samples, the log.
import type { Timed } from './process.ts';

export interface ScenarioContext {
  readonly runId: string;
  mkdev(args: readonly string[], cwd: string, rss?: boolean): Promise<Timed>;
  add(key: string, value: number): void;
  log(line: string): void;
}

/** The last line of `--json` output: the run's summary. */
export const lastJson = (stdout: string) =>
  JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
