import { notReady, type Probe, READY } from './probe.ts';

/** Ready once the container has logged a line matching the pattern (a regular expression). */
export function logProbe(pattern: string): Probe {
  const regex = new RegExp(pattern, 'm');
  return {
    description: `log matches /${pattern}/`,
    async check(target) {
      return regex.test(await target.logs()) ? READY : notReady('not logged yet');
    },
  };
}
