import { describe, expect, it } from 'vitest';
import { isPortClash, startRetryingPortClash } from './port-clash.ts';

const clash = new Error(
  '(HTTP code 500) server error - driver failed programming external connectivity on endpoint x: Error starting userland proxy: listen tcp4 0.0.0.0:32787: bind: address already in use',
);

describe('startRetryingPortClash', () => {
  it('starts again when the engine handed out a port that is taken', async () => {
    let calls = 0;
    const started = await startRetryingPortClash(
      async () => {
        calls++;
        if (calls < 3) throw clash;
        return 'started';
      },
      () => undefined,
    );
    expect(started).toBe('started');
    expect(calls).toBe(3);
  });

  it('gives up after three clashes, with the engine error', async () => {
    let calls = 0;
    const start = startRetryingPortClash(
      async () => {
        calls++;
        throw clash;
      },
      () => undefined,
    );
    await expect(start).rejects.toThrow(/address already in use/);
    expect(calls).toBe(3);
  });

  it('does not retry any other failure', async () => {
    let calls = 0;
    const start = startRetryingPortClash(
      async () => {
        calls++;
        throw new Error('No such image: hashicorp/consul:1.20');
      },
      () => undefined,
    );
    await expect(start).rejects.toThrow(/No such image/);
    expect(calls).toBe(1);
    expect(isPortClash(new Error('Bind for 0.0.0.0:8000 failed: port is already allocated'))).toBe(true);
  });
});
