// The package as users get it: `npm pack`, installed into an empty project, run through npx. Catches a
// file missing from `files`, a dist that imports what it does not ship, a broken bin.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OFFLINE_IMAGE_MAP, ROOT } from './support/cli.ts';

const npm = join(process.execPath, '..', 'npm');
const npx = join(process.execPath, '..', 'npx');
const work = mkdtempSync(join(tmpdir(), 'mkdev-packed-'));
const app = join(work, 'app');

describe('the packed package', () => {
  beforeAll(async () => {
    const packed = await execa(npm, ['pack', '--silent', '--pack-destination', work], {
      cwd: ROOT,
      all: true,
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack wrote no tarball:\n${packed.all}`);
    await execa('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const installed = await execa(npm, ['install', '--no-audit', '--no-fund', join(work, tarball)], {
      cwd: app,
      all: true,
      reject: false,
    });
    if (installed.exitCode !== 0) throw new Error(`npm install of the tarball failed:\n${installed.all}`);
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('npx mkdev --help lists the commands', async () => {
    const help = await execa(npx, ['--no-install', 'mkdev', '--help'], {
      cwd: app,
      all: true,
      reject: false,
    });
    expect(help.exitCode, help.all).toBe(0);
    expect(help.stdout).toMatch(/\bup\b[\s\S]*\bdown\b[\s\S]*\bstatus\b/);
  });

  it('npx mkdev doctor --json answers with its checks, the default stack and engine included', async () => {
    const doctor = await execa(
      npx,
      ['--no-install', 'mkdev', 'doctor', '--json', '--images', OFFLINE_IMAGE_MAP],
      {
        cwd: app,
        all: true,
        reject: false,
      },
    );
    const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: { name: string; status: string }[] };
    expect(report.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['docker engine', 'node']));
    // The offline images are present on this engine: the installed package found its default stack.
    const images = report.checks.filter((c) => c.name.startsWith('image '));
    expect(images.length).toBeGreaterThan(3);
    expect(images.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(doctor.exitCode).toBe(report.ok ? 0 : 1);
  });

  it('mkdev/testing and mkdev/register import as ES modules', async () => {
    const script =
      "const t = await import('mkdev/testing'); const r = await import('mkdev/register'); console.log(typeof t.startStack, typeof r.registerOnKong);";
    const run = await execa(process.execPath, ['--input-type=module', '-e', script], {
      cwd: app,
      all: true,
      reject: false,
    });
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout.trim()).toBe('function function');
  });

  it('new-service --lang go vendors the Go register package the tarball ships, without its tests', async () => {
    const made = await execa(npx, ['--no-install', 'mkdev', 'new-service', 'billing', '--lang', 'go'], {
      cwd: app,
      all: true,
      reject: false,
    });
    expect(made.exitCode, made.all).toBe(0);
    const vendored = readdirSync(join(app, 'services', 'billing', 'mkdev-register')).sort();
    expect(vendored).toEqual(
      expect.arrayContaining(['go.mod', 'http.go', 'kong.go', 'consul.go', 'retry.go']),
    );
    expect(vendored.filter((f) => f.endsWith('_test.go'))).toEqual([]);
    expect(
      readdirSync(join(app, 'node_modules', 'mkdev', 'src', 'register', 'go')).filter((f) =>
        f.endsWith('_test.go'),
      ),
    ).toEqual([]);
  });

  it("the CLI bundle's deferred parts of dockerode resolve from where the package is installed", async () => {
    // scripts/build-cli.ts leaves dockerode's BuildKit session, docker-modem's SSH transport and the
    // helpers dockerode packs a directory with out of the bundle: they are required on first use from
    // node_modules, relative to the bundle's own files (the last two from dockerode's, as their stubs do).
    const script = `import { createRequire } from 'node:module';
const require = createRequire(new URL('./node_modules/mkdev/dist/cli-bundle/main.js', import.meta.url));
const fromDockerode = createRequire(require.resolve('dockerode/lib/util.js'));
console.log(typeof require('dockerode/lib/session.js'), typeof require('docker-modem/lib/ssh.js'),
  typeof require('dockerode/lib/buildkit.js').followProgress, typeof fromDockerode('tar-fs').pack,
  typeof fromDockerode('@balena/dockerignore'));`;
    const run = await execa(process.execPath, ['--input-type=module', '-e', script], {
      cwd: app,
      all: true,
      reject: false,
    });
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout.trim()).toBe('function function function function function');
  });
});
