// Building services with `mkdev up`: the host's extra CA bundle reaches the build as mkdev-ca.crt
// (MKDEV_CA_BUNDLE, else NODE_EXTRA_CA_CERTS), and a build that fails is a user error naming the
// service, with the build's last lines and the Dockerfile to fix, leaving nothing behind.
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
});
