// `mkdev run`'s exit code is the command's: its own non-zero exit, or 128 + the number of the signal
// that killed it (as a shell reports it); either way the service's containers come back. (Signals sent
// to mkdev itself are test/watch-run.test.ts's.)
import { mkdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
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
  built:
    build: { context: built, args: { BASE_IMAGE: node:24-bookworm-slim } }
    ports: ["8080"]
    ready: { http: { port: 8080, path: / } }
`,
});
mkdirSync(join(project.dir, 'built'));
project.write(
  'built/Dockerfile',
  `ARG BASE_IMAGE
FROM \${BASE_IMAGE}
COPY . /app
CMD ["node", "-e", "require('http').createServer((q, s) => s.end(require('fs').readdirSync('/app').join(','))).listen(8080)"]
`,
);

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

  it('a build context edited while the command ran: the way back says it builds first, and the new image serves', async () => {
    // The command itself edits the context, as `npm install` on the host writes package-lock.json.
    const run = spawnMkdev(project, ['run', 'built', '--', 'sh', '-c', 'echo new > built/lockfile.json']);
    const code = await run.closed;
    const output = run.output();
    expect(code, output).toBe(0);
    expect(output).toContain(
      'built: what it is built from changed: building its image before its containers come back',
    );
    expect(output).toContain('built: containers ready again');
    const port = (
      await docker.listContainers({
        filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=built'] },
      })
    )[0]?.Ports.find((p) => p.PrivatePort === 8080)?.PublicPort;
    expect(port, output).toBeDefined();
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('lockfile.json');
  });

  it('a command killed by a signal makes mkdev exit 128 + its number, and the container is back', async () => {
    // The shell kills itself with SIGUSR1 (10 on Linux): nothing mkdev sent.
    const { code, output } = await runWeb(['sh', '-c', 'kill -USR1 $$']);
    expect(code, output).toBe(128 + constants.signals.SIGUSR1);
    expect(output).toContain('web: containers ready again');
    expect(await webState()).toEqual(['running']);
  });
});
