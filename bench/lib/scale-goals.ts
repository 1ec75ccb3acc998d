// Issue 15's goals for the warm paths and the scale scenario, computed from the figures' medians.
import { type Summary, seconds } from './stats.ts';

export interface Goal {
  readonly what: string;
  readonly value: number | undefined;
  readonly limit: number;
  readonly show: (v: number) => string;
}

const WARM = [
  'up after down (volumes kept)',
  'up after every container was stopped (stands in for an engine restart)',
  "up after editing one service's env",
];

export function warmAndScaleGoals(s: (key: string) => Summary | undefined): Goal[] {
  const ratio = (a?: Summary, b?: Summary) => (a && b ? a.median / b.median : undefined);
  /** How much a figure's median grew from 1 to 30 extra services, in ms. */
  const grows = (figure: string): number | undefined => {
    const small = s(`scale 1: ${figure}`);
    const large = s(`scale 30: ${figure}`);
    return small && large ? large.median - small.median : undefined;
  };
  const perService = (figure: string) => {
    const grown = grows(figure);
    return grown === undefined ? undefined : grown / 29;
  };
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  const upGrows = grows('up from nothing');
  const aloneGrows = grows('the extra containers alone (create, start, ready)');
  return [
    ...WARM.map((what) => ({
      what: `warm: ${what} <= 1.1x its critical path from start to ready`,
      value: ratio(s(`warm: ${what}`), s(`warm: ${what}, its critical path from start to ready`)),
      limit: 1.1,
      show: (v: number) => `${v.toFixed(2)}x`,
    })),
    {
      what: "scale: up from nothing grows (1 -> 30) by no more than the extra containers' own start",
      value: upGrows !== undefined && aloneGrows ? upGrows / aloneGrows : undefined,
      limit: 1,
      show: (v: number) =>
        `${v.toFixed(2)}x (up +${seconds(upGrows ?? 0)}, alone +${seconds(aloneGrows ?? 0)})`,
    },
    {
      what: 'scale: no-op up grows < 10 ms per service (1 -> 30)',
      value: perService('no-op up'),
      limit: 10,
      show: ms,
    },
    {
      what: 'scale: status grows < 10 ms per service (1 -> 30)',
      value: perService('status'),
      limit: 10,
      show: ms,
    },
    {
      what: 'scale: peak RSS of up at 30 extra services < 150 MB',
      value: s('rss scale 30: up')?.median,
      limit: 150e6,
      show: (v) => `${(v / 2 ** 20).toFixed(0)} MiB`,
    },
    ...startupGoals(s),
  ];
}

/** The start-up scenario's commands against their goals, each beside `node -e 0` (Node's own floor). */
function startupGoals(s: (key: string) => Summary | undefined): Goal[] {
  const floor = s('startup: node -e 0')?.median;
  const withFloor = (v: number) =>
    `${seconds(v)} (node -e 0: ${floor === undefined ? 'n/a' : seconds(floor)})`;
  const timed = (command: string, limitMs: number): Goal => ({
    what: `startup: ${command} < ${limitMs / 1000} s`,
    value: s(`startup: ${command}`)?.median,
    limit: limitMs,
    show: withFloor,
  });
  return [
    timed('--help', 100),
    timed('env', 300),
    timed('status', 300),
    timed('no-op up', 400),
    {
      what: 'startup: peak RSS of no-op up < 100 MB',
      value: s('rss startup: no-op up')?.median,
      limit: 100e6,
      show: (v) => `${(v / 2 ** 20).toFixed(0)} MiB`,
    },
  ];
}
