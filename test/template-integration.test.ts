// A scaffolded service's own integration tests, run as a user would, with mkdev installed in the
// project, against a throwaway stack that includes the service: TypeScript's `npm run test:integration`
// (mkdev/testing's vitest globalSetup) and Go's `go test -tags integration ./...` (its TestMain starts the
// stack with mkdev/testing through node).
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { docker, OFFLINE_IMAGE_MAP, ROOT, testProject } from './support/cli.ts';
import { goToolchain } from './support/go-toolchain.ts';

/** Runs `command` in the new service's directory; checks it passed and left no stack and no image behind. */
async function runsAgainstAThrowawayStack(
  language: 'ts' | 'go',
  command: (service: string) => Promise<{ file: string; args: string[]; env: Record<string, string> }>,
  passed: RegExp,
): Promise<void> {
  const project = testProject(`tplint${language}`);
  // A name no other test uses, so the stack it starts can be told from other agents' stacks.
  const name = `${language === 'ts' ? 'orders' : 'billing'}-${project.name.split('-').pop()}`;
  const made = await project.run(['new-service', name, '--lang', language], { withoutProject: true });
  expect(made.exitCode, made.all).toBe(0);
  // "npm install --save-dev mkdev" at the project root, with this checkout as mkdev.
  mkdirSync(join(project.dir, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(project.dir, 'node_modules', 'mkdev'));
  const service = join(project.dir, 'services', name);
  const { file, args, env: commandEnv } = await command(service);
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
  const run = await execa(file, args, {
    cwd: service,
    reject: false,
    all: true,
    timeout: 1_500_000,
    extendEnv: false,
    env: { ...env, ...commandEnv, MKDEV_IMAGES: OFFLINE_IMAGE_MAP },
  });
  events.destroy();
  expect(run.exitCode, run.all).toBe(0);
  expect(run.all).toMatch(passed);
  // The throwaway stack is gone: nothing labelled with its project is left.
  expect(projects.size).toBe(1);
  for (const p of projects) {
    const left = await docker.listContainers({ all: true, filters: { label: [`dev.mkdev.project=${p}`] } });
    expect(left.map((c) => c.Names[0])).toEqual([]);
  }
  // And so is the image it built for the service (tagged after the throwaway project).
  const leftImages = (await builtImages()).filter((i) => !imagesBefore.has(i.Id));
  expect(leftImages.map((i) => i.RepoTags)).toEqual([]);
}

it('TypeScript: npm run test:integration against a throwaway stack, cleaned up after', async () => {
  await runsAgainstAThrowawayStack(
    'ts',
    async (service) => {
      const install = await execa('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
        cwd: service,
        reject: false,
        all: true,
      });
      expect(install.exitCode, install.all).toBe(0);
      return { file: 'npm', args: ['run', 'test:integration'], env: {} };
    },
    /Tests\s+.*2 passed/,
  );
}, 700_000);

it('Go: go test -tags integration against a throwaway stack, cleaned up after', async () => {
  const go = await goToolchain();
  await runsAgainstAThrowawayStack(
    'go',
    async () => ({
      file: go.go,
      args: ['test', '-count=1', '-v', '-tags', 'integration', './...'],
      env: go.env,
    }),
    /--- PASS: TestItAnswersThroughKong[\s\S]*--- PASS: TestItQueuesAVerificationAndListsItOnceConsumed[\s\S]*^ok\s/m,
  );
  // A cold Go build of the service image (the standard library packages it uses) comes first.
}, 1_800_000);
