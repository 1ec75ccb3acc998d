// A scaffolded TypeScript service's own integration tests, run as a user would: `npm run
// test:integration` in services/<name>, with mkdev installed in the project, on mkdev/testing's
// vitest globalSetup (a throwaway stack including the service).
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { docker, OFFLINE_IMAGE_MAP, ROOT, testProject } from './support/cli.ts';

it('runs the template integration tests against a throwaway stack and cleans it up', async () => {
  const project = testProject('tplint');
  // A name no other test uses, so the stack it starts can be told from other agents' stacks.
  const name = `orders-${project.name.split('-').pop()}`;
  const made = await project.run(['new-service', name], { withoutProject: true });
  expect(made.exitCode, made.all).toBe(0);
  // "npm install --save-dev mkdev" at the project root, with this checkout as mkdev.
  mkdirSync(join(project.dir, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(project.dir, 'node_modules', 'mkdev'));
  const service = join(project.dir, 'services', name);
  const install = await execa('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: service,
    reject: false,
    all: true,
  });
  expect(install.exitCode, install.all).toBe(0);
  // The throwaway projects the run creates: those of the containers created for our service.
  const projects = new Set<string>();
  const events = (await docker.getEvents({
    filters: { type: ['container'], event: ['create'], label: [`dev.mkdev.service=${name}`] },
  })) as NodeJS.ReadableStream & { destroy(): void };
  events.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      const project = (JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } }).Actor
        ?.Attributes?.['dev.mkdev.project'];
      if (project) projects.add(project);
    }
  });
  const builtImages = async () =>
    (await docker.listImages()).filter((i) => (i.RepoTags ?? []).some((t) => t.endsWith(`-${name}:dev`)));
  const imagesBefore = new Set((await builtImages()).map((i) => i.Id));
  // A clean environment, as a user's shell has: the outer vitest's VITEST_* variables confuse the inner one.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
  const run = await execa('npm', ['run', 'test:integration'], {
    cwd: service,
    reject: false,
    all: true,
    timeout: 600_000,
    extendEnv: false,
    env: { ...env, MKDEV_IMAGES: OFFLINE_IMAGE_MAP },
  });
  expect(run.exitCode, run.all).toBe(0);
  expect(run.all).toMatch(/Tests\s+.*2 passed/);
  events.destroy();
  // The throwaway stack is gone: nothing labelled with its project is left.
  expect(projects.size).toBe(1);
  for (const p of projects) {
    const left = await docker.listContainers({ all: true, filters: { label: [`dev.mkdev.project=${p}`] } });
    expect(left.map((c) => c.Names[0])).toEqual([]);
  }
  // And so is the image it built for the service (tagged after the throwaway project).
  const leftImages = (await builtImages()).filter((i) => !imagesBefore.has(i.Id));
  expect(leftImages.map((i) => i.RepoTags)).toEqual([]);
}, 700_000);
