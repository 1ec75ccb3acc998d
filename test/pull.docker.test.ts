// The pull path against a real registry (Debian's docker-registry on 127.0.0.1): `mkdev pull` with
// progress (plain and --json), `up --pull never|always`, a missing tag, and a registry killed mid-pull.
// The images are built here with a layer of random bytes, so a pull downloads it for real (the engine
// has no copy of that layer), pushed, and removed locally before each pull.
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, projectResources, removeProject, testProject } from './support/cli.ts';
import { startRegistry, type TestRegistry } from './support/registry.ts';

let registry: TestRegistry;
let small = '';
let big = '';
let missing = '';

/**
 * Builds an image FROM the offline Debian with `mb` megabytes of random bytes, pushes it, removes it here.
 * Asynchronously: the registry's proxy runs in this process and must keep answering meanwhile.
 */
async function pushRandomImage(reference: string, mb: number): Promise<void> {
  const dockerfile = `FROM mkdev-offline/debian:trixie\nRUN head -c ${mb * 1_000_000} /dev/urandom > /blob\n`;
  // --no-cache: the classic builder would reuse an earlier build's layer of "random" bytes from an image
  // still on the engine (same parent, same command), whose layer the engine then already has.
  await execa('docker', ['build', '--no-cache', '-q', '-t', reference, '-'], { input: dockerfile });
  await execa('docker', ['push', '-q', reference]);
  await removeImage(reference);
}

async function removeImage(reference: string): Promise<void> {
  await execa('docker', ['image', 'rm', '-f', reference], { reject: false });
}

const present = (reference: string) =>
  docker
    .getImage(reference)
    .inspect()
    .then(
      () => true,
      () => false,
    );

const project = testProject('pull-path');

beforeAll(async () => {
  registry = await startRegistry();
  small = `${registry.address}/library/pull-path-small:1`;
  big = `${registry.address}/library/pull-path-big:1`;
  missing = `${registry.address}/library/pull-path-small:no-such-tag`;
  await pushRandomImage(small, 8);
  await pushRandomImage(big, 60);
  project.write(
    'mkdev.yaml',
    `name: ${project.name}
extends: none
services:
  small: { image: ${small}, command: [sleep, infinity] }
  big: { image: ${big}, command: [sleep, infinity] }
  missing: { image: ${missing}, command: [sleep, infinity] }
`,
  );
}, 300_000);

afterAll(async () => {
  await removeProject(project.name);
  for (const reference of [small, big, missing]) if (reference) await removeImage(reference);
  await registry?.close();
});

/** The manifest requests the registry saw for `reference`'s repository. */
const manifestRequests = (reference: string) => {
  const repository = reference.slice(registry.address.length + 1).replace(/:[^:]*$/, '');
  return registry.requests.filter((r) => r.includes(`/v2/${repository}/manifests/`)).length;
};

const nothingCreated = async () => {
  const left = await projectResources(project.name);
  return [left.containers.length, left.networks.length, left.volumes.length];
};

interface PullEvent {
  type: string;
  service: string;
  step: string;
  message: string;
  image?: string;
  layers?: { done: number; total: number };
  bytes?: { current: number; total: number };
}
const events = (stdout: string) =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as PullEvent);

describe('mkdev pull from a real registry', () => {
  it('pulls an image by its registry name with progress events (--json): layers and bytes as numbers', async () => {
    const result = await project.run(['pull', 'small', '--json']);
    expect(result.exitCode, result.all).toBe(0);
    const progress = events(result.stdout).filter((e) => e.step === 'pull' && e.bytes !== undefined);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every((e) => e.image === small && e.service === 'small')).toBe(true);
    const last = progress.at(-1);
    expect(last?.layers?.done).toBe(last?.layers?.total);
    // The random layer (8 MB) was downloaded; the Debian layers underneath already exist.
    expect(last?.bytes?.current).toBeGreaterThan(7_000_000);
    expect(last?.bytes?.current).toBe(last?.bytes?.total);
    const summary = events(result.stdout).find((e) => e.type === 'summary') as unknown as {
      images: { image: string }[];
    };
    expect(summary.images.map((i) => i.image)).toEqual([small]);
    expect(await present(small)).toBe(true);
  });

  it('prints a line when it starts, at most one per further tenth of the bytes, and when done (plain)', async () => {
    await removeImage(small);
    const result = await project.run(['pull', 'small']);
    expect(result.exitCode, result.all).toBe(0);
    const lines = result.stderr.split('\n').filter((l) => l.includes('small:'));
    expect(lines[0]).toMatch(new RegExp(`small: pulling ${small.replace(/[.]/g, '\\.')}$`));
    const progress = lines.filter((l) => / layers, .* MB of .* MB$/.test(l) && l.includes('pulling'));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.length).toBeLessThanOrEqual(10);
    expect(lines.at(-1)).toContain(`small: pulled ${small} (`);
    expect(result.stdout).toMatch(/1 images pulled in/);
  });

  it('up --pull never comes up without asking the registry; --pull always asks it again', async () => {
    const before = manifestRequests(small);
    const never = await project.run(['up', 'small', '--pull', 'never']);
    expect(never.exitCode, never.all).toBe(0);
    expect(manifestRequests(small)).toBe(before);
    const always = await project.run(['up', 'small', '--pull', 'always', '--json']);
    expect(always.exitCode, always.all).toBe(0);
    expect(manifestRequests(small)).toBeGreaterThan(before);
    expect(events(always.stdout).some((e) => e.step === 'pull' && e.service === 'small')).toBe(true);
    expect((await project.run(['down'])).exitCode).toBe(0);
  });

  it('up --pull never with the image missing fails naming it; nothing is pulled or created', async () => {
    await removeImage(small);
    const before = manifestRequests(small);
    const up = await project.run(['up', 'small', '--pull', 'never']);
    expect(up.exitCode, up.all).toBe(1);
    expect(up.stderr).toContain(
      `small: image: image ${small} is not present, and --pull never forbids pulling it`,
    );
    expect(manifestRequests(small)).toBe(before);
    expect(await nothingCreated()).toEqual([0, 0, 0]);
  });

  it('a missing tag fails up in preflight and pull, naming the image, the registry and its words', async () => {
    const up = await project.run(['up', 'missing']);
    expect(up.exitCode, up.all).toBe(1);
    expect(up.stderr).toContain(
      `missing: image: image ${missing} is not present and cannot be pulled from ${registry.address}: manifest unknown`,
    );
    expect(await nothingCreated()).toEqual([0, 0, 0]);
    const pull = await project.run(['pull', 'missing']);
    expect(pull.exitCode, pull.all).toBe(1);
    expect(pull.stderr).toContain(`cannot pull image ${missing} from ${registry.address}: `);
    expect(pull.stderr).toContain('manifest unknown');
  });
});

describe('a registry killed or hung mid-pull', () => {
  /**
   * Runs mkdev with `args`, and once the pull has downloaded some bytes kills the registry (or, with
   * `hang`, makes it stop answering); ms from then to mkdev's exit.
   */
  async function killMidPull(args: readonly string[], hang = false) {
    await removeImage(big);
    registry.rate = 4_000_000;
    const run = project.run([...args, '--json']);
    let killedAt: number | undefined;
    run.stdout?.on('data', (chunk: Buffer) => {
      if (killedAt !== undefined) return;
      const downloading = events(chunk.toString()).some((e) => (e.bytes?.current ?? 0) > 0);
      if (downloading) {
        killedAt = Date.now();
        if (hang) registry.freeze();
        else registry.kill();
      }
    });
    const result = await run;
    const ms = Date.now() - (killedAt ?? Number.NaN);
    registry.kill();
    registry.rate = undefined;
    await registry.start();
    return { result, ms, killed: killedAt !== undefined };
  }

  it('fails mkdev pull within seconds, naming the image, the registry and what the engine said', async () => {
    const { result, ms, killed } = await killMidPull(['pull', 'big']);
    expect(killed, result.all).toBe(true);
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stderr).toContain(
      `cannot pull image ${big} from ${registry.address}: the registry stopped answering mid-pull`,
    );
    expect(ms).toBeLessThan(10_000);
    expect(await present(big)).toBe(false);
  });

  it('fails up within seconds and leaves nothing it created', async () => {
    const { result, ms, killed } = await killMidPull(['up', 'big']);
    expect(killed, result.all).toBe(true);
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stderr).toContain(`cannot pull image ${big} from ${registry.address}`);
    expect(ms).toBeLessThan(10_000);
    expect(await nothingCreated()).toEqual([0, 0, 0]);
  });

  it('fails a pull from a registry that stops answering (no reset, no close) once it has been silent 10 s', async () => {
    const { result, ms, killed } = await killMidPull(['pull', 'big'], true);
    expect(killed, result.all).toBe(true);
    expect(result.exitCode, result.all).toBe(1);
    expect(result.stderr).toContain(
      `cannot pull image ${big} from ${registry.address}: the registry stopped answering mid-pull (no progress for 10 s): no answer from the registry within 5 s`,
    );
    // 10 s of silence, then 5 s for the registry to answer the manifest request.
    expect(ms).toBeGreaterThanOrEqual(10_000);
    expect(ms).toBeLessThan(25_000);
    expect(await present(big)).toBe(false);
  });
});
