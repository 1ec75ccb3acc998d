import { describe, expect, it } from 'vitest';
import { summarize, type VitestReport } from './test-summary.ts';

const file = (name: string, status: string, tests: string[], ms = 1000, message?: string) => ({
  name: `/repo/${name}`,
  status,
  startTime: 0,
  endTime: ms,
  assertionResults: tests.map((s) => ({ status: s })),
  ...(message ? { message } : {}),
});

describe('the closing lines of the test command', () => {
  it('counts a file that failed as a whole (a beforeAll threw, or it did not load) as failed', () => {
    const report: VitestReport = {
      numPassedTests: 3,
      numFailedTests: 1,
      numPendingTests: 2,
      numTodoTests: 0,
      testResults: [
        file('a.test.ts', 'passed', ['passed', 'passed']),
        file('b.test.ts', 'failed', ['passed', 'failed']),
        file(
          'c.docker.test.ts',
          'failed',
          ['skipped', 'skipped'],
          5000,
          'Error: address already in use\n at x',
        ),
        file('d.test.ts', 'failed', [], 10, 'SyntaxError: Unexpected token'),
      ],
    };
    const lines = summarize(report, '/repo');
    expect(lines.at(-1)).toBe('3 passed, 3 failed (2 of them whole files), 2 skipped');
    expect(lines).toContain('failed suite: c.docker.test.ts: Error: address already in use');
    expect(lines).toContain('failed suite: d.test.ts: SyntaxError: Unexpected token');
  });

  it('lists the slowest files first', () => {
    const report: VitestReport = {
      numPassedTests: 2,
      numFailedTests: 0,
      numPendingTests: 0,
      numTodoTests: 0,
      testResults: [
        file('fast.test.ts', 'passed', ['passed'], 200),
        file('slow.test.ts', 'passed', ['passed'], 90_000),
      ],
    };
    const lines = summarize(report, '/repo');
    expect(lines.slice(0, 3)).toEqual([
      'slowest files:',
      '     90.0 s  slow.test.ts',
      '      0.2 s  fast.test.ts',
    ]);
    expect(lines.at(-1)).toBe('2 passed, 0 failed');
  });
});
