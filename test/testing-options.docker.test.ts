// mkdev/testing's startStack options besides services, reuse and onEvent (test/testing-library.test.ts):
// `cwd` + `file` (a project file other than ./mkdev.yaml), `extraServices` (services added or
// overridden in stack-file form) and `timeoutMs` (give up, and leave nothing behind).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startStack, UserError } from '../src/testing/index.ts';
import { docker, OFFLINE_IMAGE_MAP, projectResources } from './support/cli.ts';

const images = OFFLINE_IMAGE_MAP;
const serve = (text: string) =>
  `require('http').createServer((q, s) => s.end(process.env.GREETING || ${JSON.stringify(text)})).listen(8080)`;
const counts = async (project: string) => {
  const r = await projectResources(project);
  return [r.containers.length, r.networks.length, r.volumes.length];
};

describe('startStack options', () => {
  it('file (in cwd) names the project file; extraServices add a service and override one, in stack-file form', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-testing-file-'));
    // ./mkdev.yaml must not be read: its image cannot exist.
    writeFileSync(
      join(dir, 'mkdev.yaml'),
      'extends: none\nservices:\n  decoy:\n    image: mkdev-test/no-such-image:1\n',
    );
    writeFileSync(
      join(dir, 'integration.yaml'),
      `extends: none
services:
  web:
    image: node:24-bookworm-slim
    command: [node, -e, ${JSON.stringify(serve('web from integration.yaml'))}]
    ports: ["8080"]
    ready: { http: { port: 8080, path: / } }
`,
    );
    const stack = await startStack({
      cwd: dir,
      file: 'integration.yaml',
      images,
      extraServices: {
        web: { env: { GREETING: 'web, overridden by extraServices' } },
        echo: {
          image: 'node:24-bookworm-slim',
          command: ['node', '-e', serve('echo added by extraServices')],
          ports: ['8080'],
          ready: { http: { port: 8080, path: '/' } },
        },
      },
    });
    try {
      expect(await (await fetch(stack.url('web', 8080))).text()).toBe('web, overridden by extraServices');
      expect(await (await fetch(stack.url('echo', 8080))).text()).toBe('echo added by extraServices');
      const services = (await projectResources(stack.project)).containers.map(
        (c) => c.Labels['dev.mkdev.service'],
      );
      expect(services.sort()).toEqual(['echo', 'web']);
    } finally {
      await stack.stop();
    }
    expect(await counts(stack.project)).toEqual([0, 0, 0]);
  });

  it('timeoutMs gives up on a service that never becomes ready, naming what it waited for, and leaves nothing', async () => {
    const stuck = `stuck-${randomBytes(3).toString('hex')}`;
    const started = Date.now();
    const error = await startStack({
      images,
      timeoutMs: 5000,
      services: [stuck],
      extraServices: {
        [stuck]: {
          image: 'node:24-bookworm-slim',
          command: ['node', '-e', 'setInterval(() => {}, 1000)'],
          ports: ['8080'],
          // Its own timeout is far longer: timeoutMs is what must end the wait.
          ready: { http: { port: 8080, path: '/' }, timeout: '10m' },
        },
      },
    }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    // Well under the default 240 s and the service's own 10 min: timeoutMs ended it.
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(error).toBeInstanceOf(UserError);
    expect(error?.message).toBe(
      `the stack was not ready within timeoutMs (5 s): ${stuck}: waiting for GET :8080/ -> 2xx`,
    );
    expect(
      await docker.listContainers({ all: true, filters: { label: [`dev.mkdev.service=${stuck}`] } }),
    ).toEqual([]);
  });
});
