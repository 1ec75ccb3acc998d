import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PullProgress } from '../engine/pull-progress.ts';
import type { StackEvent } from '../plan/events.ts';
import { createReporter } from './progress-reporter.ts';

const IMAGE = 'postgres:17';

function progress(doneLayers: number, current: number, total = 100_000_000): PullProgress {
  return { image: IMAGE, layers: { done: doneLayers, total: 4 }, bytes: { current, total } };
}

/** A pull as ensure-image reports it: its start, progress at every 1 %, done. */
function pullEvents(): StackEvent[] {
  const events: StackEvent[] = [{ service: 'postgres', step: 'pull', message: `pulling ${IMAGE}`, at: 0 }];
  for (let p = 0; p <= 100; p++) {
    const pull = progress(Math.floor(p / 25), p * 1_000_000);
    events.push({ service: 'postgres', step: 'pull', message: `pulling ${IMAGE}: ${p} %`, at: p * 10, pull });
  }
  events.push({ service: 'postgres', step: 'image-ready', message: `pulled ${IMAGE}`, at: 1010 });
  return events;
}

function captured(stream: NodeJS.WriteStream): string[] {
  const lines: string[] = [];
  vi.spyOn(stream, 'write').mockImplementation((chunk) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  return lines;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('pull progress in plain output', () => {
  it('prints a line when a pull starts, at each further tenth of its bytes, and when done', async () => {
    const lines = captured(process.stderr);
    const reporter = await createReporter('plain', (s) => s);
    for (const e of pullEvents()) reporter.event(e);
    expect(lines).toHaveLength(1 + 10 + 1);
    expect(lines[0]).toContain(`postgres: pulling ${IMAGE}`);
    expect(lines[1]).toContain(`pulling ${IMAGE}: 10 %`);
    expect(lines[10]).toContain(`pulling ${IMAGE}: 100 %`);
    expect(lines[11]).toContain(`pulled ${IMAGE}`);
  });

  it('never prints a tenth twice, when the known size grows as layers start', async () => {
    const lines = captured(process.stderr);
    const reporter = await createReporter('plain', (s) => s);
    const at = (current: number, total: number, n: number): StackEvent => ({
      service: 'kong',
      step: 'pull',
      message: `step ${n}`,
      at: n,
      pull: { image: 'kong:3.9', layers: { done: 0, total: 2 }, bytes: { current, total } },
    });
    // 50 % of the first layer's size, then a second layer doubles the size: 25 %, then 55 %.
    for (const e of [at(50, 100, 1), at(50, 200, 2), at(110, 200, 3)]) reporter.event(e);
    expect(lines.map((l) => l.replace(/^\[[^\]]*\] /, ''))).toEqual(['kong: step 1']);
  });
});

describe('pull progress with --json', () => {
  it('is an event per report, carrying the image, layers and bytes as numbers', async () => {
    const lines = captured(process.stdout);
    const reporter = await createReporter('json', (s) => s);
    reporter.event({
      service: 'postgres',
      step: 'pull',
      message: 'pulling postgres:17: 1/4 layers',
      at: 12,
      pull: progress(1, 30_000_000),
    });
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        type: 'event',
        service: 'postgres',
        step: 'pull',
        message: 'pulling postgres:17: 1/4 layers',
        at: 12,
        image: IMAGE,
        layers: { done: 1, total: 4 },
        bytes: { current: 30_000_000, total: 100_000_000 },
      },
    ]);
  });
});
