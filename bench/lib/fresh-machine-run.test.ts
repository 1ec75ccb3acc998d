import { describe, expect, it } from 'vitest';
import { parseStepDurations } from './fresh-machine-run.ts';

describe('parseStepDurations', () => {
  it("reads the check's closing table, CPU where the container ran, and stops at its end", () => {
    const out = [
      'fresh-machine: teardown (engine, container, volume) done in 1.4s',
      'fresh-machine: step durations (s; CPU: seconds of CPU time used inside the container)',
      '  host: seed registry                     60.7            ',
      '  ./scripts/up.sh (fresh project)         44.9  CPU 61.4  ',
      'fresh-machine: passed in 383 s (registry), CPU 393.8 s in the container',
    ].join('\n');
    expect(parseStepDurations(out)).toEqual([
      { step: 'host: seed registry', seconds: 60.7 },
      { step: './scripts/up.sh (fresh project)', seconds: 44.9, cpu: 61.4 },
    ]);
  });

  it('finds nothing in output without the table', () => {
    expect(parseStepDurations('fresh-machine: step "x" failed')).toEqual([]);
  });
});
