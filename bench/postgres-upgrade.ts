// `mkdev upgrade postgres` end to end, on the image set an image map names (it must map postgres:15):
//   node bench/postgres-upgrade.ts [--images map.yaml] [--rows 3000,300000] [--reps 1]
// For each size: a throwaway project with `postgres:15`, one table of that many rows (about 100 bytes
// each) plus Kong's empty database, then the stack's postgres:17: the refused `up` (preflight reads
// PG_VERSION from the volume), `mkdev upgrade postgres` with its phases as it reports them, and the
// `up` that starts PostgreSQL 17 on the switched volume. Also: reading a volume's version file
// through a never-started container, the cost preflight adds to an `up` that creates a data service's
// container over an existing volume.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createDockerClient } from '../src/engine/docker-client.ts';
import { DockerConnection } from '../src/engine/docker-connection.ts';
import { readVolumeFiles } from '../src/engine/read-volume.ts';
import { THROWAWAY, tearDown } from '../src/project/tear-down.ts';
import { mapImage, readImageMapFile } from '../src/stack/image-map.ts';
import { freeHostPortsEnv } from '../src/stack/port-variables.ts';
import { mustSucceed, runTimed } from './lib/process.ts';
import { seconds, spread, summarize } from './lib/stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({
  options: {
    images: { type: 'string', default: join(ROOT, 'images', 'offline-image-map.yaml') },
    rows: { type: 'string', default: '3000,300000' },
    reps: { type: 'string', default: '1' },
  },
});
const docker = createDockerClient();
const log = (line: string) => process.stderr.write(`postgres-upgrade: ${line}\n`);
const BIN = join(ROOT, 'bin', 'mkdev.js');

async function once(rows: number, rep: number) {
  const project = `bpgup-${Date.now().toString(36).slice(-5)}-${rep}`;
  const dir = mkdtempSync(join(tmpdir(), `${project}-`));
  const env = { MKDEV_IMAGES: values.images as string, NO_COLOR: '1', ...freeHostPortsEnv() };
  const mkdev = (...args: string[]) =>
    runTimed(process.execPath, [BIN, ...args, '-p', project], { cwd: dir, env });
  try {
    writeFileSync(join(dir, 'mkdev.yaml'), 'services:\n  postgres:\n    image: postgres:15\n');
    mustSucceed('up on postgres:15', await mkdev('up', 'postgres'));
    const url = /MKDEV_POSTGRES_URL=(\S+)/.exec(
      mustSucceed('env', await mkdev('env', '--show-secrets')).stdout,
    )?.[1];
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('CREATE TABLE items (id bigint PRIMARY KEY, body text, at timestamptz)');
    await client.query(
      `INSERT INTO items SELECT g, repeat(md5(g::text), 2), now() FROM generate_series(1, ${rows}) g`,
    );
    const size = await client.query<{ s: string }>(`SELECT pg_size_pretty(pg_database_size('kong')) AS s`);
    await client.end();
    writeFileSync(join(dir, 'mkdev.yaml'), 'services: {}\n');
    const refused = await mkdev('up', 'postgres');
    if (refused.exitCode !== 1) throw new Error(`up should have refused:\n${refused.stderr}`);
    const upgrade = mustSucceed('mkdev upgrade postgres', await mkdev('upgrade', 'postgres'));
    const phases = /upgraded in .*/.exec(upgrade.stdout)?.[0] ?? '';
    const after = mustSucceed('up on postgres:17', await mkdev('up', 'postgres'));
    log(
      `${rows} rows (${size.rows[0]?.s}): refused up ${seconds(refused.ms)}, upgrade ${seconds(upgrade.ms)} [${phases}], up after ${seconds(after.ms)}`,
    );
    const volume = `${project}_postgres-data`;
    const image = mapImage(await readImageMapFile(values.images as string, ROOT), 'postgres:17');
    const reads: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      await readVolumeFiles(docker, {
        volume,
        image,
        mountAt: '/v',
        paths: ['/v/PG_VERSION'],
        project,
      });
      reads.push(performance.now() - t0);
    }
    return { upgradeMs: upgrade.ms, refusedMs: refused.ms, reads };
  } finally {
    await tearDown(new DockerConnection(docker).project(project), THROWAWAY).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

const sizes = (values.rows as string).split(',').map(Number);
const reads: number[] = [];
for (const rows of sizes) {
  const upgrades: number[] = [];
  for (let rep = 0; rep < Number(values.reps); rep++) {
    const run = await once(rows, rep);
    upgrades.push(run.upgradeMs);
    reads.push(...run.reads);
  }
  log(`${rows} rows: mkdev upgrade postgres ${spread(summarize(upgrades))}`);
}
log(`reading PG_VERSION through a never-started container: ${spread(summarize(reads))}`);
const load = (await import('node:os')).loadavg().map((l) => l.toFixed(2));
log(`load average at the end: ${load.join(' ')}`);
