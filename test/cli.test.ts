// The CLI shell: help, version, usage errors and doctor, through the real binary.
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { newService, offlineImage, projectResources, removeProject, testProject } from './support/cli.ts';

const project = testProject('cli');
afterAll(() => removeProject(project.name));

describe('mkdev CLI', () => {
  it('prints help and version, exits 2 on usage errors without a stack trace', async () => {
    const help = await project.run(['--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/Commands:\n {2}up/);
    const upHelp = await project.run(['up', '--help']);
    expect(upHelp.stdout).toContain('Usage: mkdev up [services...] [options]');
    const unknown = await project.run(['frobnicate']);
    expect([unknown.exitCode, unknown.stderr.split('\n')[0]]).toEqual([
      2,
      "mkdev: unknown command 'frobnicate'",
    ]);
    const badFlag = await project.run(['status', '--nope']);
    expect(badFlag.exitCode).toBe(2);
    expect(badFlag.stderr.split('\n').slice(0, 2)).toEqual([
      "mkdev: status: Unknown option '--nope'",
      "hint: run 'mkdev status --help' for its options",
    ]);
    expect(badFlag.stderr).not.toMatch(/\n\s+at /);
    for (const command of ['up', 'logs']) {
      const unknownService = await project.run([command, 'nosuch']);
      expect([unknownService.exitCode, unknownService.stderr.split('\n')[0]]).toEqual([
        2,
        "mkdev: no service 'nosuch' in this stack",
      ]);
    }
    const badTimeout = await project.run(['down', '--timeout', 'soon']);
    expect([badTimeout.exitCode, badTimeout.stderr.split('\n')[0]]).toEqual([
      2,
      "mkdev: --timeout takes whole seconds, not 'soon'",
    ]);
  });

  it('doctor passes on this machine with the offline image map', async () => {
    const doctor = await project.run(['doctor', '--json']);
    const report = JSON.parse(doctor.stdout) as { ok: boolean; checks: { name: string; status: string }[] };
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(doctor.exitCode).toBe(0);
    expect(report.checks.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        'docker engine',
        'node',
        'engine API',
        'memory',
        'disk',
        // the image map the tests run on (a set built under another prefix names its own images)
        `image ${await offlineImage('kong:3.9')}`,
      ]),
    );
  });

  it("doctor checks the images a built service starts FROM: a Go service's two stages", async () => {
    const goProject = testProject('cli-doctor');
    expect((await newService(['billing', '--lang', 'go'], goProject.dir)).exitCode).toBe(0);
    const doctor = await goProject.run(['doctor', '--json']);
    const report = JSON.parse(doctor.stdout) as { checks: { name: string; status: string }[] };
    const images = [await offlineImage('golang:1.27-trixie'), await offlineImage('debian:trixie-slim')];
    expect(report.checks.filter((c) => images.map((i) => `image ${i}`).includes(c.name))).toEqual([
      expect.objectContaining({ status: 'pass' }),
      expect.objectContaining({ status: 'pass' }),
    ]);
  });

  it('doctor names who holds a port the stack wants', async () => {
    const holder = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as { port: number }).port;
    try {
      const doctor = await project.run(['doctor', '--json'], {
        env: { MKDEV_KONG_ADMIN_PORT: String(port) },
      });
      expect(doctor.exitCode).toBe(1);
      const report = JSON.parse(doctor.stdout) as {
        checks: { name: string; status: string; detail: string }[];
      };
      const check = report.checks.find((c) => c.name === `port ${port}`);
      expect(check?.status).toBe('fail');
      expect(check?.detail).toBe(`wanted by kong, taken by process node (pid ${process.pid})`);
    } finally {
      holder.close();
    }
  });

  it('doctor fails within 3 s, clearly, when the engine is unreachable', async () => {
    // How fast it fails is a timing goal (bench/); here: that it fails, clearly.
    const doctor = await project.run(['doctor'], { env: { DOCKER_HOST: 'tcp://127.0.0.1:1' } });
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toMatch(/FAIL\s+docker engine\s+cannot reach tcp:\/\/127\.0\.0\.1:1/);
    expect(doctor.stdout).toContain('start the Docker engine');
    expect(doctor.all).not.toMatch(/\n\s+at /);
  });

  it('up fails clearly before creating anything, naming the image and the image map option, when an image cannot be pulled', async () => {
    // A registry that cannot answer, on any machine: nothing listens on port 1.
    project.write('unreachable-map.yaml', 'images:\n  hashicorp/consul:1.20: 127.0.0.1:1/consul:1.20\n');
    const up = await project.run(['up', 'consul', '--images', 'unreachable-map.yaml']);
    expect(up.exitCode).toBe(1);
    expect(up.stderr).toContain(
      'mkdev: consul: image: image 127.0.0.1:1/consul:1.20 (mapped from hashicorp/consul:1.20) is not present and cannot be pulled',
    );
    expect(up.stderr).toContain('--images');
    // Found before anything was created.
    const left = await projectResources(project.name);
    expect([left.containers.length, left.networks.length, left.volumes.length]).toEqual([0, 0, 0]);
  });
});
