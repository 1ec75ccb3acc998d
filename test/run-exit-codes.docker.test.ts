// `mkdev run`'s exit code is the command's: its own non-zero exit, or 128 + the number of the signal
// that killed it (as a shell reports it); either way the service's containers come back. (Signals sent
// to mkdev itself are test/watch-run.test.ts's.)
import { constants } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, removeProject, testProject } from './support/cli.ts';
import { spawnMkdev } from './support/mkdev-process.ts';

const project = testProject('runexit', {
  'mkdev.yaml': `extends: none
services:
  web:
    image: node:24-bookworm-slim
    command: [node, -e, "require('http').createServer((q, s) => s.end('container')).listen(8080)"]
    ports: ["8080"]
    ready: { http: { port: 8080, path: / } }
`,
});

const webState = async () =>
  (
    await docker.listContainers({
      all: true,
      filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=web'] },
    })
  ).map((c) => c.State);

/** `mkdev run web -- <command>` to its end: its exit code and everything it printed. */
async function runWeb(command: readonly string[]) {
  const run = spawnMkdev(project, ['run', 'web', '--', ...command]);
  const code = await run.closed;
  return { code, output: run.output() };
}

describe('mkdev run: the exit code is the command’s', () => {
  beforeAll(async () => {
    const up = await project.run(['up']);
    if (up.exitCode !== 0) throw new Error(`up failed:\n${up.all}`);
  }, 300_000);
  afterAll(() => removeProject(project.name));

  it('a command that exits 3 makes mkdev exit 3, and the container is back', async () => {
    const { code, output } = await runWeb(['sh', '-c', 'echo "on the host as $PORT"; exit 3']);
    expect(code, output).toBe(3);
    expect(output).toMatch(/on the host as \d+/);
    expect(output).toContain('web: containers ready again');
    expect(await webState()).toEqual(['running']);
  });

  it('a command killed by a signal makes mkdev exit 128 + its number, and the container is back', async () => {
    // The shell kills itself with SIGUSR1 (10 on Linux): nothing mkdev sent.
    const { code, output } = await runWeb(['sh', '-c', 'kill -USR1 $$']);
    expect(code, output).toBe(128 + constants.signals.SIGUSR1);
    expect(output).toContain('web: containers ready again');
    expect(await webState()).toEqual(['running']);
  });
});
