// The exec probe: ready when the command exits 0, else the exit code and the last line of its output.
// Its target runs the command as a local process here (in a stack, the engine runs it in the
// container: test/readiness-probes.docker.test.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { execProbe } from './exec-probe.ts';
import type { ProbeTarget } from './probe.ts';

const local: ProbeTarget = {
  host: '127.0.0.1',
  hostPort: () => undefined,
  exec: async ([file, ...args]) => {
    const run = spawnSync(file as string, args, { encoding: 'utf8' });
    return { exitCode: run.status ?? 128, output: `${run.stdout}${run.stderr}` };
  },
  logs: () => Promise.resolve(''),
};

describe('the exec probe', () => {
  it('is ready once the command exits 0, and until then names its exit code and last line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-exec-probe-'));
    const marker = join(dir, 'ready');
    const probe = execProbe([
      'sh',
      '-c',
      `echo checking; test -f ${marker} || { echo "no ${marker}"; exit 3; }`,
    ]);
    expect(probe.description).toBe(
      `exec sh -c echo checking; test -f ${marker} || { echo "no ${marker}"; exit 3; } exits 0`,
    );
    expect(await probe.check(local, AbortSignal.timeout(5000))).toEqual({
      ready: false,
      reason: `exit 3: no ${marker}`,
    });
    writeFileSync(marker, '');
    expect(await probe.check(local, AbortSignal.timeout(5000))).toEqual({ ready: true });
  });
});
