// The platform's start-up in the cluster (the gateway's wait and resolver, the discovery DNS Service,
// the registrator's Kubernetes mode) follows the roles, not the default stack's names or images.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IService } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { renamedStackYaml } from '../../../test/support/renamed-stack.ts';
import { loadStack } from '../../stack/load-stack.ts';
import { stackToKubernetes } from './manifests.ts';

describe('the renamed stack as Kubernetes manifests', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mkdev-k8s-renamed-'));
  writeFileSync(join(dir, 'mkdev.yaml'), renamedStackYaml('renamed'));
  const stack = await loadStack({ cwd: dir, env: {}, deferSecrets: true });
  const { files, notes } = stackToKubernetes(stack);
  const objects = files.flatMap((f) => f.objects);
  const named = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata?.name === name);

  it('gives the gateway its proxy Service and its wait for the flag in the discovery service', () => {
    const proxy = named('Service', 'gateway-proxy') as IService | undefined;
    expect(proxy?.spec?.selector).toEqual(expect.objectContaining({ 'app.kubernetes.io/name': 'gateway' }));
    expect(notes.some((n) => n.startsWith('gateway: its entrypoint is the Kubernetes one'))).toBe(true);
    const deployment = JSON.stringify(named('Deployment', 'gateway'));
    expect(deployment).toContain('/dev/tcp/registry/8500');
  });

  it("puts the discovery service's DNS behind a Service of its own", () => {
    const dns = named('Service', 'consul-dns') as IService | undefined;
    expect(dns?.spec?.selector).toEqual(expect.objectContaining({ 'app.kubernetes.io/name': 'registry' }));
  });

  it('runs the registrator in Kubernetes mode, registering in the discovery service', () => {
    expect(named('Role', 'registrator')).toBeDefined();
    expect(notes.some((n) => n.startsWith('registrator: runs in Kubernetes mode'))).toBe(true);
  });

  it('names no default-stack service', () => {
    const names = files.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['gateway.yaml', 'registry.yaml', 'bus.yaml', 'db.yaml']));
    expect(names.filter((n) => /^(kong|consul|rabbitmq|postgres|prometheus)\.yaml$/.test(n))).toEqual([]);
  });
});
