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
  it('a failing migrations job on an existing project fails up with its log tail, keeping its volumes', async () => {
    const project = track(testProject('migfail'));
    // The project exists: Postgres and Consul ran, their volumes hold data.
    expect((await project.run(['up', 'postgres', 'consul'])).exitCode).toBe(0);
    project.write(
      'mkdev.yaml',
      'services:\n  kong-migrations:\n    env:\n      KONG_PG_PASSWORD: wrong-password\n',
    );
    const up = await project.run(['up', 'kong-migrations']);
    expect(up.exitCode, up.all).toBe(1);
    // Retried by its on-failure policy before up gives up.
    expect(up.stderr).toMatch(
      /mkdev: kong-migrations failed: the job exited with code [1-9]\d* \(4 attempts\)/,
    );
    expect(up.stderr).toMatch(/last log lines of kong-migrations:\n[\s\S]*password/i);
    expect(up.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const { containers, volumes } = await projectResources(project.name);
    expect(containers.map((c) => c.Labels['dev.mkdev.service']).sort()).toEqual([
      'consul',
      'kong-migrations',
      'postgres',
    ]);
    // The job's exit is final: nothing restarts it behind up's back.
    const job = containers.find((c) => c.Labels['dev.mkdev.service'] === 'kong-migrations');
    expect(job?.State).toBe('exited');
    expect(volumes.map((v) => v.Name).sort()).toEqual([
      `${project.name}_consul-data`,
      `${project.name}_postgres-data`,
    ]);
  });

  it('a job that fails once (a transient failure) is retried by its restart policy, and up succeeds', async () => {
    // Fails on its first run only: the marker survives in its volume across the engine's restart.
    const job =
      'if [ -f /state/ran ]; then echo second run; else touch /state/ran; echo first run fails; exit 1; fi';
    const project = track(
      testProject('transient', {
        'mkdev.yaml': `extends: none\nservices:\n  job:\n    image: node:24-bookworm-slim\n    one_shot: true\n    volumes: ["state:/state"]\n    command: [sh, -c, "${job}"]\n`,
      }),
    );
    const up = await project.run(['up']);
    expect(up.exitCode, up.all).toBe(0);
    const logs = await project.run(['logs', 'job']);
    expect(logs.stdout).toMatch(/first run fails\n.*second run/);
    const status = JSON.parse((await project.run(['status', '--json'])).stdout) as {
      services: { state: string; restarts: number; lastExitCode: number }[];
    };
    expect(status.services).toEqual([
      expect.objectContaining({ state: 'completed', restarts: 1, lastExitCode: 0 }),
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
      expect(up.stderr).toContain(`mkdev: consul: ports[0]: host port 127.0.0.1:${port} is already in use`);
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
    expect(up.stderr).toMatch(/^mkdev: mkdev\.yaml:4:9: services\.kong\.ports\[0\]: got 'nonsense'/);
    expect(up.stderr).not.toMatch(/\n\s+at /);
  });

  it('Ctrl-C during up exits 130, leaves what started running, and the next up keeps it', async () => {
    const project = track(testProject('sigint'));
    const services = ['postgres', 'consul', 'rabbitmq'];
    const child = project.run(['up', '--json', ...services]);
    const started = new Set<string>();
    let buffered = '';
    let interrupted = false;
    // Interrupt on an event, not after a guessed delay: once Consul is ready, up is certainly mid-way.
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const e = JSON.parse(line) as { type: string; service?: string; step?: string };
        // `probe` is emitted once the container started.
        if (e.type === 'event' && e.step === 'probe' && e.service) started.add(e.service);
        if (e.type === 'event' && e.service === 'consul' && e.step === 'ready' && !interrupted) {
          interrupted = child.kill('SIGINT');
        }
      }
    });
    const result = await child;
    expect(result.exitCode, result.all).toBe(130);
    expect(result.stderr).toContain('mkdev: interrupted; what was started keeps running');
    expect(started.has('consul')).toBe(true);
    const running = (await projectResources(project.name)).containers;
    const byService = new Map(running.map((c) => [c.Labels['dev.mkdev.service'], c]));
    for (const service of started) expect(byService.get(service)?.State, service).toBe('running');
    expect(await unlabelledResources(project.name)).toEqual([]);

    const again = await project.run(['up', '--json', ...services]);
    expect(again.exitCode, again.all).toBe(0);
    const steps = again.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; service?: string; step?: string })
      .filter((e) => e.type === 'event');
    for (const service of started) {
      // Kept, the same container: neither created, recreated nor restarted.
      expect(
        steps.filter((e) => e.service === service).map((e) => e.step),
        service,
      ).toContain('kept');
      expect(byService.get(service)?.Id).toBe(
        (await projectResources(project.name)).containers.find(
          (c) => c.Labels['dev.mkdev.service'] === service,
        )?.Id,
      );
    }
    const down = await project.run(['down', '--volumes']);
    expect(down.exitCode).toBe(0);
    const left = await projectResources(project.name);
    expect([left.containers.length, left.networks.length, left.volumes.length]).toEqual([0, 0, 0]);
  });
});
