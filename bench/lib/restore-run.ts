// restore() of a snapshot on a stack with Kong: the databases put back, then Kong started anew on the
// restored database (real Kong never sees a database changed behind its back), ready again.
import { startStack } from '../../src/testing/index.ts';

/** Restores one snapshot `times` times and returns each restore's wall time in ms. */
export async function measureRestore(images: string, times: number): Promise<number[]> {
  const stack = await startStack({ services: ['kong', 'rabbitmq'], images });
  try {
    const snapshot = await stack.snapshot();
    const samples: number[] = [];
    for (let i = 0; i < times; i++) {
      const started = performance.now();
      await stack.restore(snapshot);
      samples.push(performance.now() - started);
    }
    return samples;
  } finally {
    await stack.stop();
  }
}
