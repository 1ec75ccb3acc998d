import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { engineTraits } from '../engine/engine-traits.ts';
import type { ServicePlan } from '../plan/service-plan.ts';
import type { ServiceSpec } from '../stack/model.ts';
import { bindProblems, buildProblems, engineIsLocal, preflightError, probeProblems } from './preflight.ts';

const dir = mkdtempSync(join(tmpdir(), 'mkdev-preflight-'));
mkdirSync(join(dir, 'services', 'nodockerfile'), { recursive: true });
mkdirSync(join(dir, 'services', 'ok'), { recursive: true });
writeFileSync(join(dir, 'services', 'ok', 'Dockerfile'), 'FROM scratch\n');

function plan(over: Partial<ServiceSpec>, image: ServicePlan['image'] = 'build'): ServicePlan {
  return {
    service: { name: 'api', volumes: [], ports: [], ...over } as ServiceSpec,
    configHash: 'h',
    buildHash: '',
    image,
    imageCause: 'not built yet',
    steps: [{ kind: 'create', replica: 1 }],
  };
}
const build = (context: string) => ({ context: join(dir, context), dockerfile: 'Dockerfile', args: {} });

describe('preflight', () => {
  it('names a missing build context and a missing Dockerfile, with the field and the fix', () => {
    expect(buildProblems(plan({ build: build('services/nope') }), dir)).toEqual([
      expect.objectContaining({ field: 'build', message: 'build context services/nope does not exist' }),
    ]);
    expect(buildProblems(plan({ build: build('services/nodockerfile') }), dir)).toEqual([
      expect.objectContaining({
        field: 'build.dockerfile',
        message: 'no Dockerfile in the build context services/nodockerfile',
      }),
    ]);
    expect(buildProblems(plan({ build: build('services/ok') }), dir)).toEqual([]);
  });

  it('names a missing bind-mount source, only when the engine is local', () => {
    const volumes = [
      { kind: 'volume' as const, source: 'data', target: '/d', readOnly: false },
      { kind: 'bind' as const, source: join(dir, 'nope-dir'), target: '/data', readOnly: false },
    ];
    expect(bindProblems(plan({ volumes }, 'present'), true)).toEqual([
      expect.objectContaining({
        field: 'volumes[1]',
        message: `bind-mount source ${join(dir, 'nope-dir')} does not exist`,
      }),
    ]);
    expect(bindProblems(plan({ volumes }, 'present'), false)).toEqual([]);
    const socket = { kind: 'socket' as const, uri: 'unix:///x', path: '/x' };
    const tcp = { kind: 'tcp' as const, uri: 'tcp://h:2375', host: 'h', port: 2375 };
    const linux = engineTraits({ OperatingSystem: 'Debian GNU/Linux 12 (bookworm)' });
    const desktop = engineTraits({ OperatingSystem: 'Docker Desktop' });
    // A VM engine's bind sources are the VM's paths (its /var/run/docker.sock is not this machine's).
    expect([
      engineIsLocal(socket, linux),
      engineIsLocal(socket, undefined),
      engineIsLocal(socket, desktop),
      engineIsLocal(tcp, linux),
    ]).toEqual([true, true, false, false]);
  });

  it('reports every problem together', () => {
    const error = preflightError([
      { service: 'a', field: 'build', message: 'm1', fix: 'f1' },
      { service: 'b', field: 'ports[0]', message: 'm2', fix: 'f2' },
    ]);
    expect(error.message).toBe('2 problems found before starting anything (nothing was created):');
    expect(error.details).toBe('  - a: build: m1\n    fix: f1\n  - b: ports[0]: m2\n    fix: f2');
  });
});

describe('readiness probes', () => {
  it('names a probe on a port the service does not publish', () => {
    const probes = [{ kind: 'http' as const, port: 9000, path: '/', scheme: 'http' as const }];
    const ready = { probes, intervalMs: 200, timeoutMs: 1000 };
    const published = [{ target: 9000, published: 0, hostIp: '127.0.0.1', protocol: 'tcp' as const }];
    expect(probeProblems(plan({ ready }, 'present'))).toEqual([
      expect.objectContaining({ field: 'ready.http.port', message: expect.stringContaining('port 9000') }),
    ]);
    expect(probeProblems(plan({ ready, ports: published }, 'present'))).toEqual([]);
    // kong_route probes Kong's proxy port, a peer's, not the service's own.
    const throughKong = [
      { kind: 'kong_route' as const, service: 'kong', port: 8000, path: '/x', status: 200 },
    ];
    expect(probeProblems(plan({ ready: { ...ready, probes: throughKong } }, 'present'))).toEqual([]);
  });
});
