// The platform's start-up in the cluster: Kong's wait for the migrations' KV flag and the migrations
// Job that clears, then sets it. A golden file holds both scripts as the manifests carry them (update
// it with UPDATE_GOLDEN=1 after a deliberate change); then both run, as a pod would run them (after
// the kubelet's $(VAR) expansion), in bash against the Consul stand-in in this process.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { useInProcessAgent, waitFor } from '../../../test/stand-ins/consul/helpers.ts';
import { kubeletExpand } from '../../../test/support/kubelet-expansion.ts';
import { loadStack } from '../../stack/load-stack.ts';
import { stackToKubernetes } from './manifests.ts';
import type { K8sObject } from './objects.ts';

const GOLDEN = new URL('../../../test/fixtures/kubernetes/kong-startup.golden.yaml', import.meta.url);
const t = useInProcessAgent();
const stack = await loadStack({ cwd: mkdtempSync(join(tmpdir(), 'mkdev-k8s-')), project: 'shop', env: {} });
const objects = stackToKubernetes(stack).files.flatMap((f) => f.objects);
const containerOf = (kind: string, name: string) => {
  const o = objects.find((x: K8sObject) => x.kind === kind && x.metadata?.name === name);
  return o && 'spec' in o && o.spec && 'template' in o.spec
    ? o.spec.template?.spec?.containers[0]
    : undefined;
};
const kongCommand = containerOf('Deployment', 'kong')?.command ?? [];
const jobArgs = containerOf('Job', 'kong-migrations')?.args ?? [];

/** A script as the pod runs it, talking to the stand-in instead of the `consul` Service. */
const againstStandIn = (argv: readonly string[]) =>
  argv.map((a) =>
    kubeletExpand(a).replaceAll('/dev/tcp/consul/8500', `/dev/tcp/127.0.0.1/${t.agent.httpPort}`),
  );

const flag = async () => (await fetch(`${t.base}/kv/kong-migrations?raw`)).status;
const flagValue = async () => (await fetch(`${t.base}/kv/kong-migrations?raw`)).text();
const putFlag = () => fetch(`${t.base}/kv/kong-migrations`, { method: 'PUT', body: 'stale' });

describe('Kong and the migrations Job in the cluster', () => {
  it('match the golden scripts', () => {
    const text = stringify(
      { 'kong (Deployment) command': kongCommand, 'kong-migrations (Job) args': jobArgs },
      { lineWidth: 0 },
    );
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, text);
    expect(text).toBe(readFileSync(GOLDEN, 'utf8'));
    const script = kongCommand[2] ?? '';
    expect(script).toContain('until [ "$$(exec 3<>/dev/tcp/consul/8500');
    expect(script).toContain('GET /v1/kv/kong-migrations HTTP/1.0');
    const job = jobArgs[2] ?? '';
    const at = (s: string) => job.indexOf(s);
    expect(at("'DELETE %s")).toBeGreaterThan(-1);
    expect(at('"$@" || exit')).toBeGreaterThan(at("'DELETE %s"));
    expect(at("'PUT %s")).toBeGreaterThan(at('"$@" || exit'));
  });

  it('Kong waits for the flag, then starts with the Consul DNS Service IP as its resolver', async () => {
    await fetch(`${t.base}/kv/kong-migrations`, { method: 'DELETE' });
    const [shell = 'bash', ...rest] = againstStandIn(kongCommand);
    const child = spawn(shell, rest, {
      env: { PATH: process.env.PATH ?? '', CONSUL_DNS_SERVICE_HOST: '10.96.0.53' },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
    });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    try {
      await waitFor(() => output.includes('mkdev: waiting for the Consul KV flag kong-migrations'));
      // No flag, no start: the loop can only go on polling.
      expect(output).not.toContain('flag found');
      await putFlag();
      await waitFor(() => output.includes('starting Kong with dns_resolver 10.96.0.53:8600'), 10_000);
      // Then it execs Kong's entrypoint, which this machine does not have.
      await exited;
    } finally {
      child.kill();
    }
  });

  it('the Job clears a stale flag before the migrations run, and sets it only when they succeed', async () => {
    await putFlag();
    const run = (migrations: string) => {
      const [shell = 'bash', ...rest] = againstStandIn([...jobArgs.slice(0, 4), 'bash', '-c', migrations]);
      return promisify(execFile)(shell, rest).then(
        () => 0,
        (error: { code?: number }) => error.code ?? 1,
      );
    };
    // The "migrations" see no flag while they run; failing, they leave none.
    const noFlag = `exec 3<>/dev/tcp/127.0.0.1/${t.agent.httpPort}; printf 'GET /v1/kv/kong-migrations HTTP/1.0\\r\\n\\r\\n' >&3; read -r _ code _ <&3; [ "$code" = 404 ]`;
    expect(await run(`${noFlag} && exit 3`)).toBe(3);
    expect(await flag()).toBe(404);
    await putFlag();
    expect(await run(noFlag)).toBe(0);
    expect(await flagValue()).toBe('{"migrations":"done"}');
  });
});
