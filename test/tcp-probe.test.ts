// The TCP readiness probe through a published port, on the real engine: docker-proxy accepts on the
// host whether or not anything listens in the container, so the probe must not pass on the accept.
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerConnection } from '../src/engine/docker-connection.ts';
import { LABEL } from '../src/engine/labels.ts';
import { probeTargetOf } from '../src/engine/probe-target.ts';
import type { ProbeTarget } from '../src/readiness/probe.ts';
import { tcpProbe } from '../src/readiness/tcp-probe.ts';
import { waitUntilReady } from '../src/readiness/wait-until-ready.ts';
import { docker, offlineImage } from './support/cli.ts';

const project = `tcp-probe-${randomBytes(3).toString('hex')}`;
let container: Docker.Container;
let target: ProbeTarget;

describe('the tcp probe through a published port', () => {
  beforeAll(async () => {
    const image = await offlineImage('python:3.13-slim-trixie');
    container = await docker.createContainer({
      Image: image,
      Cmd: ['sleep', '300'],
      Labels: { [LABEL.project]: project },
      ExposedPorts: { '8080/tcp': {} },
      HostConfig: {
        PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
        AutoRemove: false,
      },
    });
    await container.start();
    const engine = new DockerConnection(docker).project(project);
    target = await probeTargetOf(engine, { id: container.id, service: 'probed' }, '127.0.0.1');
  }, 60_000);
  afterAll(async () => {
    await container?.remove({ force: true });
  });

  it('is not ready while nothing listens in the container, though the host port accepts', async () => {
    const result = await tcpProbe(8080).check(target, AbortSignal.timeout(5000));
    expect(result).toEqual({ ready: false, reason: expect.stringContaining('nothing listens') });
  });

  it('is ready once the service listens', async () => {
    const exec = await container.exec({
      Cmd: [
        'python3',
        '-c',
        "import socket,time; s=socket.socket(); s.bind(('',8080)); s.listen(); time.sleep(300)",
      ],
    });
    await exec.start({ Detach: true });
    await waitUntilReady(tcpProbe(8080), target, {
      intervalMs: 25,
      timeoutMs: 20_000,
      signal: AbortSignal.timeout(30_000),
    });
    expect(await tcpProbe(8080).check(target, AbortSignal.timeout(5000))).toEqual({ ready: true });
  });
});
