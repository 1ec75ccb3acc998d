// The host's Node against the TypeScript template's "engines", with the machine's own Node 20 first on
// PATH (the Node mkdev itself runs on is newer): new-service warns, `mkdev run orders -- npm start`
// refuses before it changes anything, each naming the file, the Node found and what to install.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPath } from '../src/host-run/host-node.ts';
import { newService, projectResources, removeProject, testProject } from './support/cli.ts';

/** A Node older than 22 on this machine's PATH (Debian 12's /usr/bin/node is 20): never skipped. */
function oldNode(): string {
  const candidates = [
    ...(process.env.PATH ?? '').split(delimiter).map((d) => join(d, 'node')),
    '/usr/bin/node',
    '/usr/local/bin/node',
  ];
  for (const node of candidates) {
    if (node === process.execPath || !existsSync(node)) continue;
    const version = execFileSync(node, ['--version']).toString().trim();
    if (Number(version.slice(1).split('.')[0]) < 22) return node;
  }
  throw new Error(
    'this test needs an older Node than 22 on the machine (Debian 12 ships Node 20 as /usr/bin/node)',
  );
}

const node20 = oldNode();
const version = execFileSync(node20, ['--version']).toString().trim();
const PATH = `${dirname(node20)}${delimiter}${process.env.PATH ?? ''}`;
const project = testProject('day-one-node');

beforeAll(async () => {
  expect(onPath('node', PATH)).toBe(node20);
});

afterAll(async () => {
  await removeProject(project.name);
});

describe("the host's Node", () => {
  it('new-service warns when the node on PATH is older than the template wants', async () => {
    const created = await newService(['orders'], project.dir, { PATH });
    expect(created.exitCode, created.all).toBe(0);
    expect(created.stderr).toContain(
      `warning: services/orders/package.json needs Node >=24 ("engines"), but ${node20} is ${version}`,
    );
    expect(created.stderr).toContain('hint: install Node 24');
  });

  it('mkdev run orders -- npm start refuses it before starting or stopping anything', async () => {
    // -p before `--`: what follows belongs to the command.
    const run = await project.run(['run', '-p', project.name, 'orders', '--', 'npm', 'start'], {
      env: { PATH },
      withoutProject: true,
    });
    expect(run.exitCode, run.all).toBe(1);
    expect(run.stderr).toContain(
      `mkdev: services/orders/package.json needs Node >=24 ("engines"), but ${node20} is ${version}`,
    );
    expect(run.stderr).toContain('hint: install Node 24 (e.g. `nvm install 24`');
    expect(run.all).not.toMatch(/\n\s+at /);
    expect((await projectResources(project.name)).containers).toEqual([]);
  });
});
