import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  describePull,
  isRetry,
  type PullProgress,
  type PullStreamEvent,
  PullTracker,
  percent,
} from './pull-progress.ts';

/** A pull stream recorded from Docker 20.10's POST /images/create, one JSON object a line. */
function recorded(name: string): PullStreamEvent[] {
  const text = readFileSync(new URL(`../../test/fixtures/pull-streams/${name}`, import.meta.url), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PullStreamEvent);
}

function follow(events: readonly PullStreamEvent[]): { tracker: PullTracker; shown: PullProgress[] } {
  const tracker = new PullTracker('127.0.0.1:5000/library/pull-path-rec:1');
  const shown: PullProgress[] = [];
  for (const event of events) {
    const progress = tracker.feed(event);
    if (progress) shown.push(progress);
  }
  return { tracker, shown };
}

describe('PullTracker on a recorded pull (one layer already there, two downloaded)', () => {
  const { tracker, shown } = follow(recorded('fresh-pull.jsonl'));

  it('ends with every layer done and the downloaded bytes whole', () => {
    expect(tracker.progress).toEqual({
      image: '127.0.0.1:5000/library/pull-path-rec:1',
      layers: { done: 3, total: 3 },
      bytes: { current: 3001130 + 25007945, total: 3001130 + 25007945 },
    });
    expect(describePull(tracker.progress)).toBe('3/3 layers, 28.0 MB of 28.0 MB');
  });

  it('counts the layer that already exists as done, with no bytes to download', () => {
    expect(shown[0]).toEqual({
      image: '127.0.0.1:5000/library/pull-path-rec:1',
      layers: { done: 1, total: 1 },
      bytes: { current: 0, total: 0 },
    });
  });

  it('reports bytes as they come and layers as they finish, never going back', () => {
    // Both layers started: 32.8 kB of the small one, 269.3 kB of the big one.
    const started = follow(recorded('fresh-pull.jsonl').slice(0, 6)).tracker.progress;
    expect(started.bytes).toEqual({ current: 32768 + 269312, total: 3001130 + 25007945 });
    expect(started.layers).toEqual({ done: 1, total: 3 });
    for (let i = 1; i < shown.length; i++) {
      const [before, after] = [shown[i - 1] as PullProgress, shown[i] as PullProgress];
      expect(after.layers.done).toBeGreaterThanOrEqual(before.layers.done);
      expect(after.bytes.current).toBeGreaterThanOrEqual(before.bytes.current);
    }
    expect(shown.map((p) => p.layers.done)).toContain(2);
  });

  it('reports only when something moved: fewer times than the stream has events', () => {
    const keys = shown.map((p) => `${p.layers.done}/${p.layers.total} ${percent(p.bytes)}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(shown.length).toBeLessThan(recorded('fresh-pull.jsonl').length);
  });
});

describe('PullTracker on other streams', () => {
  it('an image already up to date has no layers and reports nothing', () => {
    const { tracker, shown } = follow(recorded('up-to-date.jsonl'));
    expect(shown).toEqual([]);
    expect(tracker.progress.layers).toEqual({ done: 0, total: 0 });
    expect(describePull(tracker.progress)).toBe('0/0 layers');
  });

  it('a layer too small to report its download counts its size once it is extracted', () => {
    const { tracker } = follow([
      { status: 'Pulling fs layer', id: 'aaa', progressDetail: {} },
      { status: 'Download complete', id: 'aaa', progressDetail: {} },
      { status: 'Extracting', id: 'aaa', progressDetail: { current: 32, total: 120 } },
      { status: 'Pull complete', id: 'aaa', progressDetail: {} },
    ]);
    expect(tracker.progress.bytes).toEqual({ current: 120, total: 120 });
    expect(tracker.progress.layers).toEqual({ done: 1, total: 1 });
  });

  it('a download the engine resumed counts what it already had: the layer keeps its size', () => {
    const { tracker, shown } = follow([
      { status: 'Pulling fs layer', id: 'aaa', progressDetail: {} },
      { status: 'Downloading', id: 'aaa', progressDetail: { current: 98304, total: 8002638 } },
      // Resumed at 5960172 bytes: the engine now counts the 2042466 bytes left, from 0.
      { status: 'Downloading', id: 'aaa', progressDetail: { current: 1000000, total: 2042466 } },
      { status: 'Downloading', id: 'aaa', progressDetail: { current: 2042466, total: 2042466 } },
      { status: 'Download complete', id: 'aaa', progressDetail: {} },
    ]);
    expect(shown.map((p) => p.bytes)).toEqual([
      { current: 0, total: 0 },
      { current: 98304, total: 8002638 },
      { current: 6960172, total: 8002638 },
      { current: 8002638, total: 8002638 },
    ]);
    expect(tracker.progress.bytes).toEqual({ current: 8002638, total: 8002638 });
  });

  it('tells the engine retrying a layer from other statuses', () => {
    expect(isRetry({ status: 'Retrying in 5 seconds', id: 'aaa', progressDetail: {} })).toBe(true);
    expect(isRetry({ status: 'Downloading', id: 'aaa' })).toBe(false);
  });
});
