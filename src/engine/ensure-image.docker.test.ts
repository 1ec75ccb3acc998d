// Two projects built from one template share their first build steps, as the classic builder's cache.
// Removing one project's image removes its untagged parents with it, and so can delete a cached step the
// other project's build has just taken: that build then ended with "failed to get digest sha256:…" (CI
// lost test/self-healing.test.ts to it). The build now runs again when that happens. Without the retry
// this test failed 2 runs of 2 (a shell loop racing `docker rmi` against such builds: 17 of 20 failed).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { docker, offlineImage } from '../../test/support/cli.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { DockerConnection } from './docker-connection.ts';

const prefix = `build-race-${randomBytes(3).toString('hex')}`;
const connection = new DockerConnection(docker);
const projects = { first: `${prefix}-a`, second: `${prefix}-b` };

afterAll(async () => {
  for (const name of Object.values(projects)) await connection.project(name).removeBuiltImages();
});

/** A build of many cheap steps, so the second build walks a long cached chain. */
async function context(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const steps = Array.from({ length: 40 }, (_, i) => `ENV STEP${i}=${prefix}`);
  writeFileSync(
    join(dir, 'Dockerfile'),
    [`FROM ${await offlineImage('debian:trixie-slim')}`, ...steps, ''].join('\n'),
  );
  return dir;
}

function build(project: string, dir: string, lines: string[]) {
  const service = {
    name: 'app',
    image: `${project}-app:dev`,
    build: { context: dir, dockerfile: 'Dockerfile', args: {} },
  } as unknown as ServiceSpec;
  return connection
    .project(project)
    .ensureImage(
      { service, step: 'build', buildHash: prefix },
      (_kind, line) => lines.push(line),
      AbortSignal.timeout(120_000),
    );
}

it('a build that shares its cached steps with an image being removed alongside it ends built', async () => {
  const dir = await context();
  const [first, second] = [connection.project(projects.first), connection.project(projects.second)];
  let retried = 0;
  for (let round = 0; round < 4; round++) {
    await build(projects.first, dir, []);
    const lines: string[] = [];
    // The first project's image goes (with the chain both builds share) while the second builds on it.
    await Promise.all([build(projects.second, dir, lines), first.removeBuiltImages()]);
    expect((await docker.getImage(`${projects.second}-app:dev`).inspect()).Id).toMatch(/^sha256:/);
    if (lines.some((l) => l.includes('building again'))) retried++;
    // The next round starts from no chain at all.
    await second.removeBuiltImages();
  }
  // The race was run, not missed: at least one round lost its cached step and built again.
  expect(retried).toBeGreaterThan(0);
}, 300_000);
