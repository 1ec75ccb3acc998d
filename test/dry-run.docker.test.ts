// `mkdev up --dry-run` prints the plan and changes nothing: the engine's own event stream, read back
// for the time it ran, holds no create, start, stop, kill, remove, destroy, pull, build or tag of the
// project's, before the project exists, and after a change that a real `up` would recreate for.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docker, projectResources, removeProject, type TestProject, testProject } from './support/cli.ts';

const projects: string[] = [];
afterAll(() => Promise.all(projects.map(removeProject)));

/** A project of its own per test: two services, one built, a volume. */
function dryRunProject(): TestProject {
  const project = testProject('dryrun');
  projects.push(project.name);
  project.write('mkdev.yaml', STACK('info'));
  mkdirSync(join(project.dir, 'app'));
  project.write('app/Dockerfile', 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n');
  return project;
}

const STACK = (level: string) => `extends: none
services:
  db:
    image: node:24-bookworm-slim
    command: [sh, -c, "trap 'exit 0' TERM; while :; do sleep 0.2; done"]
    volumes: ["data:/data"]
  api:
    build: { context: app, args: { BASE_IMAGE: "node:24-bookworm-slim" } }
    command: [sh, -c, "trap 'exit 0' TERM; while :; do sleep 0.2; done"]
    env: { LEVEL: ${level} }
    depends_on: { db: { condition: started } }
`;

interface EngineEvent {
  readonly Type: string;
  readonly Action: string;
  readonly Actor: { readonly ID: string; readonly Attributes?: Record<string, string> };
}

/** What the engine did to the project while `run` ran, from its event stream for that time. */
async function engineEventsDuring(project: TestProject, run: () => Promise<void>): Promise<string[]> {
  const since = Date.now() / 1000;
  await run();
  const until = Date.now() / 1000 + 0.5;
  const stream = (await docker.getEvents({ since, until })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  const mine = (e: EngineEvent) => {
    const a = e.Actor.Attributes ?? {};
    return (
      a['dev.mkdev.project'] === project.name ||
      a.name === `mkdev-${project.name}` ||
      e.Actor.ID.startsWith(`${project.name}_`) ||
      `${e.Actor.ID} ${a.name ?? ''}`.includes(`mkdev-${project.name}-`)
    );
  };
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as EngineEvent)
    .filter(mine)
    .map((e) => `${e.Type} ${e.Action} ${e.Actor.Attributes?.name ?? e.Actor.ID}`);
}

const CHANGES =
  /^(container|network|volume|image) (create|start|restart|stop|kill|die|destroy|remove|delete|pull|build|tag|untag|connect|disconnect)/;

describe('mkdev up --dry-run', () => {
  it('on a new project: the plan as NDJSON, operations with their causes in order; nothing created', async () => {
    const project = dryRunProject();
    let out = '';
    const events = await engineEventsDuring(project, async () => {
      const dry = await project.run(['up', '--dry-run', '--json']);
      expect(dry.exitCode, dry.all).toBe(0);
      out = dry.stdout;
    });
    expect(events.filter((e) => CHANGES.test(e))).toEqual([]);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ type: 'plan', project: project.name, dryRun: true });
    const ops = lines.filter((l) => l.type === 'operation');
    expect(ops.map((o) => o.id)).toEqual(ops.map((_, i) => i + 1));
    const find = (operation: string, resource: string) =>
      ops.find((o) => o.operation === operation && o.resource === resource);
    expect(find('create-network', `mkdev-${project.name}`)).toMatchObject({ cause: 'not found' });
    expect(find('create-volume', `${project.name}_data`)).toMatchObject({
      cause: 'not found',
      services: ['db'],
    });
    expect(find('ensure-image', `mkdev-${project.name}-api:dev`)).toMatchObject({ cause: 'not built yet' });
    const create = find('create-container', `${project.name}-api-1`);
    expect(create).toMatchObject({ cause: 'no container', changesEngine: true });
    expect(await projectResources(project.name)).toEqual({ containers: [], networks: [], volumes: [] });
    expect(await docker.listImages({ filters: { reference: [`mkdev-${project.name}-api`] } })).toEqual([]);
  }, 120_000);

  it('on a running project: a recreate (stop, remove, create, start) shown with its cause; nothing touched', async () => {
    const project = dryRunProject();
    // The same reading of the event stream sees what a real `up` does: the empty ones below mean something.
    const upEvents = await engineEventsDuring(project, async () => {
      const up = await project.run(['up']);
      expect(up.exitCode, up.all).toBe(0);
    });
    expect(upEvents).toEqual(
      expect.arrayContaining([
        `network create mkdev-${project.name}`,
        `container create ${project.name}-api-1`,
        `container start ${project.name}-db-1`,
      ]),
    );
    const before = (await projectResources(project.name)).containers.map((c) => `${c.Id} ${c.State}`).sort();
    project.write('mkdev.yaml', STACK('debug'));
    let out = '';
    const events = await engineEventsDuring(project, async () => {
      const dry = await project.run(['up', '--dry-run']);
      expect(dry.exitCode, dry.all).toBe(0);
      out = dry.stdout;
    });
    expect(events.filter((e) => CHANGES.test(e))).toEqual([]);
    const api = `${project.name}-api-1`;
    const lines = out.split('\n');
    const order = ['stop container', 'remove container', 'create container', 'start container'].map((verb) =>
      lines.findIndex((l) => l.includes(verb) && l.includes(api)),
    );
    expect(
      order.every((i) => i > 0),
      out,
    ).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(lines[order[0] as number]).toContain('configuration changed');
    expect(out).toContain('dry run: nothing was changed');
    expect(out).not.toMatch(new RegExp(`(stop|remove|create) container\\s+${project.name}-db-1`));
    const after = (await projectResources(project.name)).containers.map((c) => `${c.Id} ${c.State}`).sort();
    expect(after).toEqual(before);
  }, 180_000);

  it('says when nothing would change', async () => {
    const project = dryRunProject();
    expect((await project.run(['up'])).exitCode).toBe(0);
    const dry = await project.run(['up', '--dry-run']);
    expect(dry.exitCode, dry.all).toBe(0);
    expect(dry.stdout).toContain(`${project.name}: nothing to change`);
  }, 180_000);
});
