import { describe, expect, it } from 'vitest';
import { levelOf } from './logs-view.ts';

describe("a log line's level, for the logs filter", () => {
  it('reads JSON and logfmt levels, and level words, defaulting to info', () => {
    expect(levelOf('{"level":"error","msg":"x"}')).toBe('error');
    expect(levelOf('{"level":50,"msg":"x"}')).toBe('error');
    expect(levelOf('ts=1 caller=main.go level=warn msg="slow"')).toBe('warn');
    expect(levelOf('2026/12/01 14:44:25 [error] 1#0: name resolution failed')).toBe('error');
    expect(levelOf('2026-12-01 [warning] <0.820.0> closing AMQP connection')).toBe('warn');
    expect(levelOf('DEBUG cache miss')).toBe('debug');
    expect(levelOf('[orders] listening on 172.25.0.8:8080')).toBe('info');
  });
});
