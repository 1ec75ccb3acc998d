// `mkdev upgrade postgres` killed (SIGKILL: no clean-up of its own) while it dumps, and again while it
// switches the volume: nothing is lost, and running it again finishes the upgrade.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv, projectResources, removeProject, testProject } from './support/cli.ts';

const ON_15 = 'services:\n  postgres:\n    image: postgres:15\n';

async function rows(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ row: string }>(
      'SELECT to_jsonb(t)::text AS row FROM notes t ORDER BY id',
    );
    return result.rows.map((r) => r.row);
  } finally {
    await client.end();
  }
}

describe('an interrupted Postgres upgrade', () => {
  const project = testProject('pgkill', { 'mkdev.yaml': ON_15 });
  const volume = `${project.name}_postgres-data`;
  let before: string[] = [];

  /** Runs the upgrade and SIGKILLs it as soon as it reports `line`; resolves once it is dead. */
  async function killedAt(line: string): Promise<string> {
    const child = project.run(['upgrade', 'postgres']);
    let seen = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes(line)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.then(
        (r) => reject(new Error(`the upgrade ended before '${line}' (exit ${r.exitCode}):\n${r.all}`)),
        reject,
      );
    });
    await child.catch(() => undefined);
    return seen;
  }

  beforeAll(async () => {
    const up = await project.run(['up', 'postgres']);
    if (up.exitCode !== 0) throw new Error(`mkdev up failed:\n${up.all}`);
    const url = parseEnv((await project.run(['env', '--show-secrets'])).stdout).MKDEV_POSTGRES_URL as string;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE notes (id int PRIMARY KEY, body text)');
    await client.query(`INSERT INTO notes SELECT g, repeat('x', g % 100) FROM generate_series(1, 3000) g`);
    await client.end();
    before = await rows(url);
    project.write('mkdev.yaml', 'services: {}\n');
  });
  afterAll(() => removeProject(project.name));

  it('killed while dumping, the volume is untouched and a new run starts over', async () => {
    await killedAt('dumping with');
    const { volumes } = await projectResources(project.name);
    expect(volumes.find((v) => v.Name === volume)).toBeDefined();
    // The run is not finished: up still refuses, as it would before any upgrade.
    const up = await project.run(['up', 'postgres']);
    expect(up.exitCode).toBe(1);
    expect(up.all).toContain('PostgreSQL 17 cannot open the data directory of PostgreSQL 15');
  });

  it('killed with the volume emptied, a new run finishes the switch from the verified data', async () => {
    // This run starts over (the volume still held PostgreSQL 15) and is killed mid-switch.
    await killedAt(`emptied ${volume}`);
    const again = await project.run(['upgrade', 'postgres']);
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stderr).toContain(`${volume} was being switched to the verified PostgreSQL 17 data`);
    expect(again.stdout).toContain(`${volume} now holds PostgreSQL 17 data`);
    const { volumes, containers } = await projectResources(project.name);
    expect(volumes.map((v) => v.Name).sort()).toEqual([volume, `${volume}-pg15`]);
    // The killed run's helper containers were reaped (their owner label names a dead process).
    expect(containers.filter((c) => c.Labels['dev.mkdev.service'] === undefined)).toEqual([]);
  });

  it('every row is there under PostgreSQL 17', async () => {
    const up = await project.run(['up', 'postgres']);
    expect(up.exitCode, up.all).toBe(0);
    const url = parseEnv((await project.run(['env', '--show-secrets'])).stdout).MKDEV_POSTGRES_URL as string;
    expect(await rows(url)).toEqual(before);
  });
});
