// What `mkdev up` does when things go wrong: clear errors, nothing half-started, nothing leaked.
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { projectResources, removeProject, testProject, unlabelledResources } from './support/cli.ts';

const projects: string[] = [];
const track = <T extends { name: string }>(p: T) => {
  projects.push(p.name);
  return p;
};
afterAll(() => Promise.all(projects.map(removeProject)));

describe('up failures', () => {
  it('a failing migrations job fails up with its log tail, and leaves nothing running', async () => {
    const project = track(
      testProject('migfail', {
        'mkdev.yaml': 'services:\n  kong-migrations:\n    env:\n      KONG_PG_PASSWORD: wrong-password\n',
      }),
    );
    const up = await project.run(['up', 'kong-migrations']);
    expect(up.exitCode).toBe(1);
    expect(up.stderr).toMatch(/mkdev: kong-migrations failed: the job exited with code [1-9]/);
    expect(up.stderr).toMatch(/last log lines of kong-migrations:\n[\s\S]*password/i);
    expect(up.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const { containers } = await projectResources(project.name);
    expect(containers.filter((c) => c.State === 'running').map((c) => c.Names[0])).toEqual([]);
    // The flag was never set, so no Kong could have started on an unmigrated database.
    expect(containers.map((c) => c.Labels['dev.mkdev.service']).sort()).toEqual([
      'consul',
      'kong-migrations',
      'postgres',
    ]);
  });

  it('a taken host port is named before anything starts', async () => {
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const port = (holder.address() as { port: number }).port;
    try {
      const project = track(testProject('porttaken'));
      const up = await project.run(['up', 'consul'], { env: { MKDEV_CONSUL_PORT: String(port) } });
      expect(up.exitCode).toBe(1);
      expect(up.stderr).toContain(`mkdev: consul: host port 127.0.0.1:${port} is already in use`);
      expect(up.stderr).toContain('hint: free port');
      expect((await projectResources(project.name)).containers).toEqual([]);
    } finally {
      holder.close();
    }
  });

  it('a malformed stack file gives file:line:col, exit 1 and no stack trace', async () => {
    const project = track(
      testProject('badfile', { 'mkdev.yaml': 'services:\n  kong:\n    ports:\n      - nonsense\n' }),
    );
    const up = await project.run(['up']);
    expect(up.exitCode).toBe(1);
    expect(up.stderr).toMatch(/^mkdev: mkdev\.yaml:4:9: services\.kong\.ports\[0\]: /);
    expect(up.stderr).not.toMatch(/\n\s+at /);
  });

  it('Ctrl-C at several moments during up, then up again, then down: nothing leaked', async () => {
    const project = track(testProject('sigint'));
    for (const afterMs of [200, 1500, 4000]) {
      const child = project.run(['up', 'postgres', 'consul', 'rabbitmq']);
      await new Promise((r) => setTimeout(r, afterMs));
      child.kill('SIGINT');
      const result = await child;
      // Exits 130 when interrupted; 0 only if it finished before the signal arrived.
      expect([0, 130], result.all).toContain(result.exitCode);
      expect(await unlabelledResources(project.name)).toEqual([]);
    }
    const up = await project.run(['up', 'postgres', 'consul', 'rabbitmq']);
    expect(up.exitCode, up.all).toBe(0);
    const down = await project.run(['down', '--volumes']);
    expect(down.exitCode).toBe(0);
    const left = await projectResources(project.name);
    expect([left.containers.length, left.networks.length, left.volumes.length]).toEqual([0, 0, 0]);
    expect(await unlabelledResources(project.name)).toEqual([]);
  });
});
