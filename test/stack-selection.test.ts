// `mkdev up <service>...` brings what the named services wait for, through depends_on and through their
// actions alike (stack/graph.ts), and a stack whose waits run in a circle is refused before anything runs.
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnv, projectResources, removeProject, testProject } from './support/cli.ts';

const projects: string[] = [];
const track = <T extends { name: string }>(p: T) => {
  projects.push(p.name);
  return p;
};
afterAll(() => Promise.all(projects.map(removeProject)));

describe('up of some services', () => {
  it('up postgres kong-migrations brings Consul along, for the job to set its flag', async () => {
    const project = track(testProject('select'));
    const up = await project.run(['up', 'postgres', 'kong-migrations']);
    expect(up.exitCode, up.all).toBe(0);
    const { containers } = await projectResources(project.name);
    expect(containers.map((c) => c.Labels['dev.mkdev.service']).sort()).toEqual([
      'consul',
      'kong-migrations',
      'postgres',
    ]);
    const env = parseEnv((await project.run(['env'])).stdout);
    const flag = await request(`${env.MKDEV_CONSUL_URL}/v1/kv/kong-migrations?raw`);
    expect(flag.statusCode).toBe(200);
    expect(await flag.body.text()).toBe('{"migrations":"done"}');
  });

  it('a cycle through an action is refused at load, naming it, and nothing starts', async () => {
    const project = track(
      testProject('actioncycle', {
        'mkdev.yaml': [
          'services:',
          '  consul:',
          '    depends_on: { rabbitmq: { condition: ready } }',
          '  rabbitmq:',
          '    after_ready:',
          '      - consul_kv_put: { service: consul, key: rabbit, value: up }',
          '',
        ].join('\n'),
      }),
    );
    const up = await project.run(['up', 'rabbitmq'], { timeout: 60_000 });
    expect(up.exitCode).toBe(1);
    expect(up.stderr).toMatch(
      /^mkdev: dependency cycle: (consul -> rabbitmq -> consul|rabbitmq -> consul -> rabbitmq)\n/,
    );
    expect(up.stderr).toContain("after_ready action of 'rabbitmq' on 'consul'");
    expect((await projectResources(project.name)).containers).toEqual([]);
  });
});
