// Kong's migration states across an upgrade (kong/cmd/migrations.lua, kong/cmd/utils/migrations.lua,
// kong/init.lua): KONG_STANDIN_SCHEMA_VERSION=next is the stand-in of kong-standin:3.9-next, a Kong
// that brings one more core migration than the database has.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKong, startKong } from './helpers/kong.ts';
import { startPostgres, type TestPostgres } from './helpers/postgres.ts';
import { freshDatabase } from './helpers/setup.ts';

const NEXT = { KONG_STANDIN_SCHEMA_VERSION: 'next' };
const NEW_MIGRATIONS = "New migrations available; run 'kong migrations up' to proceed";
const LUA = '/usr/local/share/lua/5.1/kong/cmd/utils/migrations.lua';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(() => pg?.stop());

const prefix = () => ({ KONG_PREFIX: mkdtempSync(join(tmpdir(), 'kp-')) });

describe('an upgrade with new migrations', () => {
  let env: Record<string, string>;
  beforeAll(async () => {
    env = await freshDatabase(pg);
    const boot = await runKong(['migrations', 'bootstrap'], env);
    expect(boot.code, boot.stderr).toBe(0);
    expect(boot.stdout).toContain('23 migrations processed\n23 executed\nDatabase is up-to-date');
  });

  it('list exits 5 and names the new migration; bootstrap says already bootstrapped', async () => {
    const list = await runKong(['migrations', 'list'], { ...env, ...NEXT });
    expect(list.code).toBe(5);
    expect(list.stdout).toContain('Executed migrations:\ncore: 000_base, 003_100_to_110');
    expect(list.stdout).toContain(
      "New migrations available:\ncore: 025_390_to_3100\n\nRun 'kong migrations up' to proceed",
    );
    const boot = await runKong(['migrations', 'bootstrap'], { ...env, ...NEXT });
    expect(boot.code).toBe(0);
    expect(boot.stdout.trim()).toBe('Database already bootstrapped');
  });

  it("docker-start and start refuse with check_state's error, exit 1", async () => {
    const docker = await runKong(['docker-start'], { ...env, ...NEXT, ...prefix() });
    expect(docker.code).toBe(1);
    expect(docker.stderr).toContain(
      `nginx: [error] init_by_lua error: ${LUA}:20: ${NEW_MIGRATIONS}\nstack traceback:`,
    );
    const start = await runKong(['start'], { ...env, ...NEXT, ...prefix() });
    expect(start.code).toBe(1);
    expect(start.stderr).toBe(
      `Error: ${LUA}:20: ${NEW_MIGRATIONS}\n\n  Run with --v (verbose) or --vv (debug) for more details\n`,
    );
  });

  it('up runs the up step and leaves it pending; list exits 4; up again refuses; Kong starts', async () => {
    const up = await runKong(['migrations', 'up'], { ...env, ...NEXT });
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toBe(
      "migrating core on database '" +
        env.KONG_PG_DATABASE +
        "'...\ncore migrated up to: 025_390_to_3100 (pending)\n1 migration processed\n1 pending\n\n" +
        "Database has pending migrations; run 'kong migrations finish' when ready\n",
    );
    const list = await runKong(['migrations', 'list'], { ...env, ...NEXT });
    expect(list.code).toBe(4);
    expect(list.stdout).toContain(
      "Pending migrations:\ncore: 025_390_to_3100\n\nRun 'kong migrations finish' when ready",
    );
    const again = await runKong(['migrations', 'up'], { ...env, ...NEXT });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("Error: Database has pending migrations; run 'kong migrations finish'");
    // pending migrations do not stop Kong (is_up_to_date ignores them); it warns
    const k = await startKong({ ...env, ...NEXT });
    try {
      expect(k.logs()).toContain('database has pending migrations:\ncore: 025_390_to_3100');
    } finally {
      await k.stop();
    }
  });

  it('finish runs the teardown; then everything is executed and list exits 0', async () => {
    const finish = await runKong(['migrations', 'finish'], { ...env, ...NEXT });
    expect(finish.code, finish.stderr).toBe(0);
    expect(finish.stdout).toContain(
      'core migrated up to: 025_390_to_3100 (executed)\n1 migration processed\n1 executed\nNo pending migrations to finish',
    );
    const list = await runKong(['migrations', 'list'], { ...env, ...NEXT });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/core: 000_base, .*024_380_to_390, 025_390_to_3100\n$/);
    expect((await runKong(['migrations', 'finish'], { ...env, ...NEXT })).stdout.trim()).toBe(
      'No pending migrations to finish',
    );
  });
});

describe('migrations on other states', () => {
  it('bootstrap && up && finish (what mkdev runs) brings an old database up to date', async () => {
    const env = await freshDatabase(pg);
    await runKong(['migrations', 'bootstrap'], env);
    for (const sub of ['bootstrap', 'up', 'finish']) {
      const r = await runKong(['migrations', sub], { ...env, ...NEXT });
      expect(r.code, `${sub}: ${r.stderr}`).toBe(0);
    }
    expect((await runKong(['migrations', 'list'], { ...env, ...NEXT })).code).toBe(0);
  });

  it('a fresh bootstrap runs every migration to the end; up and finish on an empty database refuse', async () => {
    const env = await freshDatabase(pg);
    for (const sub of ['up', 'finish']) {
      const r = await runKong(['migrations', sub], env);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(
        'Error: Cannot run migrations: Database needs bootstrapping or is older than Kong 1.0.',
      );
    }
    const boot = await runKong(['migrations', 'bootstrap'], { ...env, ...NEXT });
    expect(boot.stdout).toContain(
      'core migrated up to: 025_390_to_3100 (executed)\n24 migrations processed\n24 executed',
    );
    expect((await runKong(['migrations', 'list'], { ...env, ...NEXT })).code).toBe(0);
  });

  it("start on an empty database: check_state's bootstrap error (kong start form)", async () => {
    const env = await freshDatabase(pg);
    const r = await runKong(['start'], { ...env, ...prefix() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error: ${LUA}:16: Database needs bootstrapping or is older than Kong 1.0.`);
  });

  it('reset needs --yes without a tty, then drops everything', async () => {
    const env = await freshDatabase(pg);
    await runKong(['migrations', 'bootstrap'], env);
    const refused = await runKong(['migrations', 'reset'], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "Error: not a tty: invoke 'reset' non-interactively with the --yes flag",
    );
    const reset = await runKong(['migrations', 'reset', '--yes'], env);
    expect(reset.stdout).toBe('Resetting database...\nDatabase successfully reset\n');
    expect((await runKong(['migrations', 'list'], env)).code).toBe(3);
  });
});
