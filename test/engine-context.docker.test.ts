// Finding the engine through a Docker context, as on a Colima / OrbStack / Docker Desktop laptop: a
// DOCKER_CONFIG whose current context points at a socket symlink elsewhere (to this machine's engine),
// with no DOCKER_HOST. mkdev up, status and doctor work through it; DOCKER_CONTEXT overrides it; a
// context whose socket is missing and a malformed config.json fail clearly, naming what is at fault.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentEngine } from '../src/engine/docker-client.ts';
import { projectResources, removeProject, testProject } from './support/cli.ts';

const project = testProject('day-one-ctx');
const root = mkdtempSync(join(tmpdir(), 'mkdev-ctx-'));
const configDir = join(root, 'docker-config');
const link = join(root, 'colima', 'default', 'docker.sock');
const missing = join(root, 'stopped', 'docker.sock');

function writeContext(name: string, host: string): void {
  const dir = join(configDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'meta.json'),
    JSON.stringify({
      Name: name,
      Metadata: { Description: 'test' },
      Endpoints: { docker: { Host: host, SkipTLSVerify: false } },
    }),
  );
}

/** The CLI with no DOCKER_HOST and no DOCKER_CONTEXT: only the Docker configuration says where. */
const run = (args: string[], env: Record<string, string | undefined> = {}) =>
  project.run(args, {
    env: { DOCKER_HOST: undefined, DOCKER_CONTEXT: undefined, DOCKER_CONFIG: configDir, ...env },
  });

beforeAll(() => {
  // This machine's engine, wherever it is, behind a symlink in the place Colima uses.
  const engine = currentEngine().endpoint;
  if (engine.kind !== 'socket') throw new Error(`this test needs an engine on a socket, not ${engine.uri}`);
  mkdirSync(join(link, '..'), { recursive: true });
  symlinkSync(engine.path, link);
  writeContext('day-one-colima', `unix://${link}`);
  writeContext('day-one-stopped', `unix://${missing}`);
  writeFileSync(
    join(configDir, 'config.json'),
    JSON.stringify({ auths: {}, currentContext: 'day-one-colima' }),
  );
});

afterAll(async () => {
  await removeProject(project.name);
  rmSync(root, { recursive: true, force: true });
});

describe('the engine from a Docker context', () => {
  it('up, status and doctor go through the current context', async () => {
    const up = await run(['up', 'consul']);
    expect(up.exitCode, up.all).toBe(0);
    // status exits 1 while services of the stack are missing: what matters is that it read the engine.
    const status = await run(['status']);
    expect(status.stdout, status.all).toMatch(/consul\s+running\s+ready/);
    expect((await projectResources(project.name)).containers).toHaveLength(1);
    const doctor = await run(['doctor', '--json']);
    const engine = (
      JSON.parse(doctor.stdout) as { checks: { name: string; status: string; detail: string }[] }
    ).checks[0];
    expect(engine).toMatchObject({ name: 'docker engine', status: 'pass' });
    expect(engine?.detail).toContain(
      `unix://${link} (context day-one-colima from ${join(configDir, 'config.json')})`,
    );
    const down = await run(['down', '-v']);
    expect(down.exitCode, down.all).toBe(0);
  });

  it('DOCKER_CONTEXT overrides the current context; a context whose socket is missing fails naming it', async () => {
    const status = await run(['status'], { DOCKER_CONTEXT: 'day-one-stopped' });
    expect(status.exitCode).toBe(1);
    expect(status.stderr).toContain(
      `cannot reach the Docker engine at unix://${missing} (context day-one-stopped from DOCKER_CONTEXT): no such socket`,
    );
    expect(status.stderr).toContain(
      'looked for an engine in this order:\n  - DOCKER_HOST: not set\n  - DOCKER_CONTEXT=day-one-stopped',
    );
    expect(status.stderr).toContain('hint: start the Docker engine');
    expect(status.all).not.toMatch(/\n\s+at /);
    // And the other way round: DOCKER_CONTEXT picks the working one over a broken current context.
    writeFileSync(join(configDir, 'config.json'), '{"currentContext":"day-one-stopped"}');
    try {
      const ok = await run(['status'], { DOCKER_CONTEXT: 'day-one-colima' });
      expect(ok.stdout, ok.all).toMatch(/^SERVICE\s+STATE/);
      const unnamed = await run(['status'], { DOCKER_CONTEXT: 'day-one-nowhere' });
      expect(unnamed.exitCode).toBe(1);
      expect(unnamed.stderr).toContain(
        "mkdev: the Docker context 'day-one-nowhere' (DOCKER_CONTEXT) does not exist",
      );
    } finally {
      writeFileSync(join(configDir, 'config.json'), '{"currentContext":"day-one-colima"}');
    }
  });

  it('a malformed config.json: the file, the fault and what to do, no stack trace', async () => {
    writeFileSync(join(configDir, 'config.json'), '{\n  "currentContext": "day-one-colima",\n}\n');
    try {
      const status = await run(['status']);
      expect(status.exitCode).toBe(1);
      expect(status.stderr).toContain(
        `mkdev: ${join(configDir, 'config.json')} (the Docker CLI's configuration) is not valid JSON`,
      );
      expect(status.stderr).toContain('hint: fix the JSON');
      expect(status.all).not.toMatch(/\n\s+at /);
      const doctor = await run(['doctor']);
      expect(doctor.exitCode).toBe(1);
      expect(doctor.stdout).toMatch(
        /FAIL\s+docker engine\s+.*config\.json \(the Docker CLI's configuration\) is not valid JSON/,
      );
    } finally {
      writeFileSync(join(configDir, 'config.json'), '{"currentContext":"day-one-colima"}');
    }
  });
});
