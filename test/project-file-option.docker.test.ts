// `-f/--file <file>` on the success path: a project file that is not ./mkdev.yaml, in another
// directory. The stack, the project name, the .env beside it and its build context all come from that
// file's directory, whatever ./mkdev.yaml says; env, status and down follow the same file.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEnv, projectResources, removeProject, testProject } from './support/cli.ts';

const project = testProject('fileopt');
const name = `${project.name}-deploy`;
afterAll(() => removeProject(name));

describe('-f / --file', () => {
  it('up -f runs the named file (its name, .env and build context), and env, status and down --file follow it', async () => {
    // A ./mkdev.yaml that must not be read: its image cannot exist.
    project.write(
      'mkdev.yaml',
      'extends: none\nservices:\n  decoy:\n    image: mkdev-test/no-such-image:1\n',
    );
    mkdirSync(join(project.dir, 'deploy', 'web'), { recursive: true });
    project.write(
      'deploy/dev.yaml',
      `name: ${name}
extends: none
services:
  web:
    build: { context: web, args: { BASE_IMAGE: node:24-bookworm-slim } }
    env: { GREETING: "\${GREETING}" }
    ports: ["8080"]
    ready: { http: { port: 8080, path: / } }
    exports: { WEB_URL: "http://{{host}}:{{port:8080}}" }
`,
    );
    project.write('deploy/.env', 'GREETING=hello from deploy/.env\n');
    project.write(
      'deploy/web/Dockerfile',
      `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nCMD ["node", "-e", "require('http').createServer((q, s) => s.end(process.env.GREETING)).listen(8080)"]\n`,
    );
    const file = join('deploy', 'dev.yaml');
    const up = await project.run(['up', '-f', file], { withoutProject: true });
    expect(up.exitCode, up.all).toBe(0);
    expect(up.stdout).toContain(`${name} is ready`);

    const env = await project.run(['env', '--file', file], { withoutProject: true });
    expect(env.exitCode, env.all).toBe(0);
    const url = parseEnv(env.stdout).WEB_URL as string;
    expect(await (await fetch(url)).text()).toBe('hello from deploy/.env');

    const status = await project.run(['status', '--json', '--file', file], { withoutProject: true });
    expect(status.exitCode, status.all).toBe(0);
    const services = (JSON.parse(status.stdout) as { services: { service: string; ready: boolean }[] })
      .services;
    expect(services.map((s) => [s.service, s.ready])).toEqual([['web', true]]);

    const down = await project.run(['down', '--file', file], { withoutProject: true });
    expect(down.exitCode, down.all).toBe(0);
    const left = await projectResources(name);
    expect([left.containers.length, left.networks.length]).toEqual([0, 0]);
  });
});
