// A registry that accepts connections and never answers (a proxy that swallows requests, a firewall
// that drops them after the handshake) must fail in seconds, not hang: `up`'s preflight and `doctor`
// give the registry 5 s, a pull 10 s for its first answer. The engine alone waits ~26 s here before it
// gives up on such a registry (measured with `docker pull` against the same server), so each test
// also bounds the time from the registry's first connection to mkdev's answer.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullImage } from '../src/engine/image.ts';
import { docker, projectResources, removeProject, testProject } from './support/cli.ts';

let server: Server;
let registry = '';
const sockets = new Set<Socket>();
/** When the engine first connected since the last reset. */
let firstConnection: number | undefined;

beforeAll(async () => {
  server = createServer((socket) => {
    firstConnection ??= Date.now();
    sockets.add(socket);
    socket.on('error', () => {});
    // Accepted, read, never answered.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  registry = `127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

const project = testProject('reghang');
afterAll(() => removeProject(project.name));

/** Runs `fn`, and how long it took after the engine first reached the registry. */
async function sinceFirstConnection<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  firstConnection = undefined;
  const result = await fn();
  const done = Date.now();
  if (firstConnection === undefined) throw new Error('the engine never connected to the registry');
  return { result, ms: done - firstConnection };
}

describe('a registry that accepts and never answers', () => {
  it('fails up before anything is created, naming the image and the image map, within seconds', async () => {
    project.write('mirror.yaml', `images:\n  hashicorp/consul:1.20: ${registry}/consul:1.20\n`);
    const { result: up, ms } = await sinceFirstConnection(() =>
      project.run(['up', 'consul', '--images', 'mirror.yaml']),
    );
    expect(up.exitCode, up.all).toBe(1);
    expect(up.stderr).toContain(
      `mkdev: consul: image: image ${registry}/consul:1.20 (mapped from hashicorp/consul:1.20) is not present and cannot be pulled from ${registry}: no answer from the registry within 5 s`,
    );
    expect(up.stderr).toContain('--images');
    expect(ms).toBeLessThan(10_000);
    const left = await projectResources(project.name);
    expect([left.containers.length, left.networks.length, left.volumes.length]).toEqual([0, 0, 0]);
  });

  it("fails doctor's image check within seconds", async () => {
    project.write('mirror.yaml', `images:\n  hashicorp/consul:1.20: ${registry}/consul:1.20\n`);
    const { result: doctor, ms } = await sinceFirstConnection(() =>
      project.run(['doctor', '--images', 'mirror.yaml']),
    );
    expect(doctor.exitCode, doctor.all).toBe(1);
    expect(doctor.stdout).toMatch(
      new RegExp(
        `FAIL\\s+image ${registry}/consul:1\\.20\\s+not present and not pullable \\(no answer from the registry within 5 s\\)`,
      ),
    );
    expect(ms).toBeLessThan(10_000);
  });

  it('fails a pull within its 10 s for a first answer, naming the image', async () => {
    const { result: error, ms } = await sinceFirstConnection(() =>
      pullImage(docker, `${registry}/consul:1.20`, () => {}).then(
        () => undefined,
        (e: unknown) => e as Error,
      ),
    );
    expect(error?.message).toMatch(
      new RegExp(
        `^cannot pull image ${registry}/consul:1\\.20 from ${registry}: no (answer from the registry|progress within 10 s)`,
      ),
    );
    expect(ms).toBeLessThan(15_000);
  });
});
