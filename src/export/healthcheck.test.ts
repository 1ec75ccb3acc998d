import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStack } from '../stack/load-stack.ts';
import type { ReadySpec } from '../stack/model.ts';
import { healthcheckFor, uncheckableProbes } from './healthcheck.ts';

const ready = (probes: ReadySpec['probes'], timeoutMs = 30_000): ReadySpec => ({
  probes,
  intervalMs: 200,
  timeoutMs,
});

describe('healthcheckFor', () => {
  it("checks Postgres with pg_isready over TCP, in exec form, and gives start-up the service's timeout", async () => {
    const stack = await loadStack({
      cwd: mkdtempSync(join(tmpdir(), 'mkdev-healthcheck-')),
      project: 'hc',
      env: {},
    });
    expect(healthcheckFor(stack.services.postgres?.ready)).toEqual({
      test: ['CMD', 'pg_isready', '-q', '-h', '127.0.0.1', '-p', '5432', '-U', 'kong', '-d', 'kong'],
      interval: '1s',
      timeout: '3s',
      retries: 3,
      start_period: '120s',
    });
    expect(healthcheckFor(stack.services.kong?.ready)?.start_period).toBe('180s');
  });

  it('checks HTTP with bash, falling back to wget then curl in images without bash', () => {
    const check = healthcheckFor(
      ready([{ kind: 'http', port: 9090, path: '/-/ready', scheme: 'http', status: 200 }]),
    );
    const [form, script] = check?.test ?? [];
    expect(form).toBe('CMD-SHELL');
    expect(script).toMatch(
      /^if command -v bash >\/dev\/null 2>&1; then exec bash -c '.*\/dev\/tcp\/127\.0\.0\.1\/9090/,
    );
    expect(script).toContain("wget -q -O /dev/null 'http://127.0.0.1:9090/-/ready'");
    expect(script).toContain("curl -fsS -o /dev/null 'http://127.0.0.1:9090/-/ready'");
  });

  it('requires every probe, as mkdev does: HTTP and then TCP', () => {
    const script = healthcheckFor(
      ready([
        { kind: 'http', port: 15672, path: '/api/health', scheme: 'http' },
        { kind: 'tcp', port: 5672 },
      ]),
    )?.test[1];
    expect(script).toMatch(/15672.*&& exec 3<>\/dev\/tcp\/127\.0\.0\.1\/5672/);
    expect(script).toMatch(/&& nc -z 127\.0\.0\.1 5672; fi$/);
  });

  it('leaves out a log probe, which nothing inside the container can read, and says so', () => {
    const logOnly = ready([{ kind: 'log', pattern: 'started' }]);
    expect(healthcheckFor(logOnly)).toBeUndefined();
    expect(uncheckableProbes(logOnly)).toEqual([{ kind: 'log', pattern: 'started' }]);
    const mixed = ready([
      { kind: 'log', pattern: 'started' },
      { kind: 'tcp', port: 80 },
    ]);
    expect(healthcheckFor(mixed)?.test.join(' ')).toContain('/dev/tcp/127.0.0.1/80');
    expect(uncheckableProbes(mixed).map((p) => p.kind)).toEqual(['log']);
    expect(healthcheckFor(undefined)).toBeUndefined();
  });
});
