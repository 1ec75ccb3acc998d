import { notReady, type Probe, READY } from './probe.ts';

/** Ready when a command run inside the container exits 0. */
export function execProbe(command: readonly string[]): Probe {
  return {
    description: `exec ${command.join(' ')} exits 0`,
    async check(target) {
      const { exitCode, output } = await target.exec(command);
      return exitCode === 0 ? READY : notReady(`exit ${exitCode}: ${output.trim().split('\n').pop() ?? ''}`);
    },
  };
}
