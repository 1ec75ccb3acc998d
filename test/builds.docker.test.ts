// Building services with `mkdev up`: the host's extra CA bundle reaches the build as mkdev-ca.crt
// (MKDEV_CA_BUNDLE, else NODE_EXTRA_CA_CERTS), and a build that fails is a user error naming the
// service, with the build's last lines and the Dockerfile to fix, leaving nothing behind; a multi-stage
// build (the Go template's) leaves its earlier stage, and a failed build the steps that passed, tagged
// for its service (<image>-stage1, <image>-failed), never as untagged images.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docker, parseEnv, projectResources, removeProject, testProject } from './support/cli.ts';

// Serves the CA file its image was built with.
const CA_DOCKERFILE = `ARG BASE_IMAGE
FROM \${BASE_IMAGE}
COPY mkdev-ca.crt /etc/mkdev-ca.crt
CMD ["node", "-e", "require('http').createServer((q, s) => s.end(require('fs').readFileSync('/etc/mkdev-ca.crt'))).listen(8080)"]
`;
const caService = (context: string) => `
  ${context}:
    build: { context: ${context}, args: { BASE_IMAGE: node:24-bookworm-slim } }
    ports: ["8080"]
    ready: { http: { port: 8080, path: / } }
    exports: { ${context.toUpperCase()}_URL: "http://{{host}}:{{port:8080}}" }`;

const projects: string[] = [];
afterAll(() => Promise.all(projects.map(removeProject)));

function project(prefix: string, stack: string, contexts: Record<string, string>) {
  const p = testProject(prefix, { 'mkdev.yaml': stack });
  projects.push(p.name);
  for (const [dir, dockerfile] of Object.entries(contexts)) {
    mkdirSync(join(p.dir, dir));
    writeFileSync(join(p.dir, dir, 'Dockerfile'), dockerfile);
  }
  return p;
}

function pem(p: { dir: string }, name: string): string {
  const file = join(p.dir, `${name}.pem`);
  writeFileSync(file, `-----BEGIN CERTIFICATE-----\n${name}\n-----END CERTIFICATE-----\n`);
  return file;
}

describe('builds', () => {
  it("get the host's CA bundle as mkdev-ca.crt in their context: MKDEV_CA_BUNDLE, else NODE_EXTRA_CA_CERTS", async () => {
    const p = project('buildca', `extends: none\nservices:${caService('first')}${caService('second')}\n`, {
      first: CA_DOCKERFILE,
      second: CA_DOCKERFILE,
    });
    const proxyCa = pem(p, 'corporate-proxy-ca');
    const nodeCa = pem(p, 'node-extra-ca');
    const first = await p.run(['up', 'first'], {
      env: { MKDEV_CA_BUNDLE: proxyCa, NODE_EXTRA_CA_CERTS: nodeCa },
    });
    expect(first.exitCode, first.all).toBe(0);
    // Without MKDEV_CA_BUNDLE (undefined removes it from the environment): NODE_EXTRA_CA_CERTS.
    const second = await p.run(['up', 'second'], {
      env: { MKDEV_CA_BUNDLE: undefined as unknown as string, NODE_EXTRA_CA_CERTS: nodeCa },
    });
    expect(second.exitCode, second.all).toBe(0);
    const env = parseEnv((await p.run(['env'])).stdout);
    expect(await (await fetch(env.FIRST_URL as string)).text()).toContain('corporate-proxy-ca');
    expect(await (await fetch(env.SECOND_URL as string)).text()).toContain('node-extra-ca');
  });

  it('a failing build fails up as a user error naming the service, its last lines and the Dockerfile to fix; nothing is left', async () => {
    const p = project(
      'buildfail',
      'extends: none\nservices:\n  broken:\n    build: { context: broken, args: { BASE_IMAGE: node:24-bookworm-slim } }\n',
      { broken: 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN echo "cannot fetch dependencies" && exit 3\n' },
    );
    const up = await p.run(['up']);
    expect(up.exitCode, up.all).toBe(1);
    expect(up.stderr).toMatch(/^mkdev: building broken failed: .*returned a non-zero code: 3$/m);
    expect(up.stderr).toContain('cannot fetch dependencies');
    expect(up.stderr).toContain(`hint: fix ${join(p.dir, 'broken')}/Dockerfile and run 'mkdev up' again`);
    expect(up.stderr).not.toContain('internal error');
    expect(up.stderr).not.toMatch(/\n\s+at /);
    // The project had nothing: what this up created (its network) is gone again.
    const left = await projectResources(p.name);
    expect([left.containers.length, left.networks.length, left.volumes.length]).toEqual([0, 0, 0]);
    // Nor the builder's container of the failed step (unlabelled: found by its command).
    const steps = await docker.listContainers({ all: true });
    expect(steps.filter((c) => c.Command.includes('cannot fetch dependencies'))).toEqual([]);
  });

  it('a multi-stage build tags its earlier stage <image>-stage1, a failed one what passed <image>-failed; each next build replaces them, keeping the shared steps as cache; down --images removes them', async () => {
    // Every image of the build stage carries this label (the final stage does not inherit it).
    const marker = `test.build-stage=${randomBytes(4).toString('hex')}`;
    const p = project(
      'buildstages',
      'extends: none\nservices:\n  app:\n    build: { context: app, args: { BASE_IMAGE: node:24-bookworm-slim } }\n',
      {
        app: `ARG BASE_IMAGE
FROM \${BASE_IMAGE} AS build
LABEL ${marker}
RUN echo dependencies > /dependencies
COPY source.txt /source.txt
RUN test "$(cat /source.txt)" != broken && cat /source.txt > /out
FROM \${BASE_IMAGE}
COPY --from=build /out /out
CMD ["node", "-e", "process.on('SIGTERM', () => process.exit()); setInterval(() => {}, 1000)"]
`,
      },
    );
    const source = join(p.dir, 'app', 'source.txt');
    const image = `mkdev-${p.name}-app:dev`;
    const stage = `${image}-stage1`;
    const untaggedStages = () => docker.listImages({ filters: { dangling: ['true'], label: [marker] } });
    /** The image of the build stage's step that installs the "dependencies" (local builds keep each step's). */
    const dependencies = async (ref: string) =>
      ((await docker.getImage(ref).history()) as { Id: string; CreatedBy: string }[]).find((h) =>
        h.CreatedBy.includes('echo dependencies'),
      )?.Id;

    writeFileSync(source, 'v1');
    const first = await p.run(['up', 'app']);
    expect(first.exitCode, first.all).toBe(0);
    const firstStage = (await docker.getImage(stage).inspect()).Id;
    const firstDependencies = await dependencies(stage);
    expect(firstDependencies).toMatch(/^sha256:/);
    expect(await untaggedStages()).toEqual([]);

    writeFileSync(source, 'v2');
    const second = await p.run(['up', 'app']);
    expect(second.exitCode, second.all).toBe(0);
    const secondStage = (await docker.getImage(stage).inspect()).Id;
    expect(secondStage).not.toBe(firstStage);
    // The stage it replaced is gone, its untagged parents with it...
    await expect(docker.getImage(firstStage).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await untaggedStages()).toEqual([]);
    // ...but not the step both builds share: the rebuild took it from the cache, and it stays.
    expect(await dependencies(stage)).toBe(firstDependencies);

    // A build that fails after copying the source: the copy is tagged <image>-failed, the stage kept.
    const failed = `${image}-failed`;
    writeFileSync(source, 'broken');
    expect((await p.run(['up', 'app'])).exitCode).toBe(1);
    const firstFailed = (await docker.getImage(failed).inspect()).Id;
    expect((await docker.getImage(stage).inspect()).Id).toBe(secondStage);
    expect(await untaggedStages()).toEqual([]);
    // The next failure replaces it, and what both share stays.
    writeFileSync(source, 'broken\n');
    expect((await p.run(['up', 'app'])).exitCode).toBe(1);
    expect((await docker.getImage(failed).inspect()).Id).not.toBe(firstFailed);
    await expect(docker.getImage(firstFailed).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await dependencies(failed)).toBe(firstDependencies);
    expect(await untaggedStages()).toEqual([]);
    // A build that passes again drops it.
    writeFileSync(source, 'v3');
    const fixed = await p.run(['up', 'app']);
    expect(fixed.exitCode, fixed.all).toBe(0);
    await expect(docker.getImage(failed).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await untaggedStages()).toEqual([]);
    expect(await dependencies(stage)).toBe(firstDependencies);

    const down = await p.run(['down', '--images']);
    expect(down.exitCode, down.all).toBe(0);
    await expect(docker.getImage(stage).inspect()).rejects.toMatchObject({ statusCode: 404 });
    expect(await docker.listImages({ all: true, filters: { label: [marker] } })).toEqual([]);
  });
});
