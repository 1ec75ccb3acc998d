import { describe, expect, it } from 'vitest';
import { formatChange, jsonChange } from './format-change.ts';

describe('watch output', () => {
  it('prints one line per change with the steps reached', () => {
    expect(
      formatChange(
        {
          service: 'orders',
          files: ['src/http-server.ts'],
          action: 'sync+restart',
          ok: true,
          syncedMs: 35,
          restartedMs: 412,
          readyMs: 903,
        },
        7,
      ),
    ).toBe('orders   src/http-server.ts  synced 35ms  restarted 412ms  ready 903ms  (sync+restart)');
    expect(
      formatChange(
        {
          service: 'b',
          files: ['a.py', 'b.py', 'c.py'],
          action: 'rebuild',
          ok: true,
          rebuiltMs: 12900,
          readyMs: 12900,
        },
        1,
      ),
    ).toBe('b  a.py +2  rebuilt 12.9s  ready 12.9s  (rebuild)');
  });

  it('adds the failure and the log lines, indented', () => {
    const text = formatChange(
      {
        service: 'orders',
        files: ['src/x.ts'],
        action: 'sync+restart',
        ok: false,
        syncedMs: 20,
        error: 'the container exited with code 1',
        log: 'SyntaxError: x\nNode.js v24',
      },
      6,
    );
    expect(text.split('\n')).toEqual([
      'orders  src/x.ts  synced 20ms  FAILED: the container exited with code 1  (sync+restart)',
      '    SyntaxError: x',
      '    Node.js v24',
    ]);
    expect(JSON.parse(jsonChange({ service: 'o', files: [], action: 'sync', ok: true }))).toEqual({
      type: 'change',
      service: 'o',
      files: [],
      action: 'sync',
      ok: true,
    });
  });
});
