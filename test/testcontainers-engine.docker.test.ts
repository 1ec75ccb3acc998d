// testcontainers follows the engine mkdev finds: in a process with no DOCKER_HOST, whose Docker
// context points at a socket symlink (Colima's place), a plain GenericContainer started after
// mkdev/testing is loaded runs through that context. Pointed at a context whose socket is gone,
// mkdev's own containers fail naming it (testcontainers alone would try /var/run/docker.sock next).
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { currentEngine } from '../src/engine/docker-client.ts';
import { offlineImage, ROOT } from './support/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'mkdev-tc-ctx-'));
const configDir = join(root, 'docker-config');
const link = join(root, 'colima', 'default', 'docker.sock');

function useContext(name: string, host: string): void {
  const dir = join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({ Name: name, Endpoints: { docker: { Host: host } } }),
  );
  writeFileSync(join(configDir, 'config.json'), JSON.stringify({ currentContext: name }));
}

/** A test process of its own (testcontainers reads its configuration once per process). */
async function startContainerInFreshProcess(kind: 'generic' | 'consul') {
  const image = await offlineImage(kind === 'generic' ? 'node:24-bookworm-slim' : 'hashicorp/consul:1.20');
  const testing = JSON.stringify(join(ROOT, 'src/testing/index.ts'));
  const script = `
    import { GenericContainer } from 'testcontainers';
    const { ConsulContainer } = await import(${testing});
    const container = ${kind === 'generic' ? 'new GenericContainer' : 'new ConsulContainer'}(${JSON.stringify(image)});
    const started = await container.withLabels({ 'dev.mkdev.test': 'day-one-tc' })${kind === 'generic' ? ".withCommand(['sleep', '60'])" : ''}.start();
    console.log('DOCKER_HOST=' + process.env.DOCKER_HOST);
    await started.stop({ timeout: 1 });
  `;
  return execa(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    reject: false,
    all: true,
    timeout: 120_000,
    env: {
      DOCKER_HOST: undefined,
      DOCKER_CONTEXT: undefined,
      DOCKER_CONFIG: configDir,
      TESTCONTAINERS_RYUK_DISABLED: 'true',
    },
  });
}

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("testcontainers on mkdev's engine", () => {
  it('runs through the current Docker context', async () => {
    const engine = currentEngine().endpoint;
    if (engine.kind !== 'socket') throw new Error(`this test needs an engine on a socket, not ${engine.uri}`);
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(engine.path, link);
    useContext('day-one-tc', `unix://${link}`);
    const run = await startContainerInFreshProcess('generic');
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toContain(`DOCKER_HOST=unix://${link}`);
  });

  it("mkdev's containers fail naming a context whose socket is gone, instead of using another engine", async () => {
    const gone = join(root, 'gone.sock');
    useContext('day-one-tc-gone', `unix://${gone}`);
    const run = await startContainerInFreshProcess('consul');
    expect(run.exitCode).not.toBe(0);
    expect(run.all).toContain(
      `cannot reach the Docker engine at unix://${gone} (context day-one-tc-gone from ${join(configDir, 'config.json')}): no such socket`,
    );
  });
});
