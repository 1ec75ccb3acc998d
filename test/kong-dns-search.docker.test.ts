// Search domains must not reach Kong's DNS client (test/stand-ins/kong/PARITY.md, resolv.conf and
// search_iter rows). Docker copies the host's `search` line into a container's resolv.conf; Kong then
// also asks Consul for `<name>.service.consul.<domain>`, which Consul forwards to its recursor. Here
// the "corporate" domain's DNS answers SERVFAIL (a VPN that is down, a laptop offline): a service not
// registered yet must still be Kong's 503 `name resolution failed`, not a 500. The host's resolv.conf
// is shared by the machine, so the search line is given to Kong's container the way Docker writes it
// from a host's (its DnsSearch, through the stack's `dns_search`).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { execIn } from '../src/engine/container-ops.ts';
import { docker, eventually, parseEnv, removeProject, testProject } from './support/cli.ts';

/**
 * A resolver for Consul's recursor: SERVFAIL for names under corp.example, everything else relayed to
 * Docker's embedded DNS (so Kong still finds `postgres` through Consul).
 */
const CORP_DNS = `
const dgram = require('node:dgram');
const sock = dgram.createSocket('udp4');
function qname(msg) {
  const labels = [];
  let i = 12;
  while (msg[i] !== 0) { labels.push(msg.subarray(i + 1, i + 1 + msg[i]).toString()); i += msg[i] + 1; }
  return { name: labels.join('.').toLowerCase(), end: i + 5 };
}
sock.on('message', (msg, from) => {
  const { name, end } = qname(msg);
  if (name.endsWith('corp.example')) {
    const res = Buffer.from(msg.subarray(0, end));
    res[2] |= 0x80; res[3] = 0x82; res.writeUInt16BE(0, 6); res.writeUInt16BE(0, 8); res.writeUInt16BE(0, 10);
    sock.send(res, from.port, from.address);
    return;
  }
  const up = dgram.createSocket('udp4');
  up.once('message', (answer) => { sock.send(answer, from.port, from.address); up.close(); });
  up.send(msg, 53, '127.0.0.11');
  setTimeout(() => { try { up.close(); } catch {} }, 3000);
});
sock.bind(53, () => console.log('corp-dns: answering'));
`;

const project = testProject('dnssearch');
let proxy = '';
let admin = '';

async function answer(path: string) {
  const res = await request(`${proxy}${path}`, { headers: { accept: 'application/json' } });
  const body = JSON.parse(await res.body.text()) as { message?: string; request_id?: string };
  return {
    status: res.statusCode,
    message: body.message,
    fromKong: body.request_id === res.headers['x-kong-request-id'],
  };
}

async function upKong(kongExtra: string) {
  const file = join(project.dir, 'mkdev.yaml');
  writeFileSync(
    file,
    `services:
  corp-dns:
    image: node:24-bookworm-slim
    command: [node, -e, ${JSON.stringify(CORP_DNS)}]
    ready: { log: { pattern: "corp-dns: answering" } }
  consul:
    command: [agent, -server, -bootstrap-expect=1, -ui, -client=0.0.0.0, -recursor=corp-dns]
    depends_on: { corp-dns: { condition: ready } }
${kongExtra}`,
  );
  const up = await project.run(['up', 'kong'], { timeout: 600_000 });
  expect(up.exitCode, up.all).toBe(0);
  const env = parseEnv((await project.run(['env'])).stdout);
  proxy = env.MKDEV_KONG_PROXY_URL ?? '';
  admin = env.MKDEV_KONG_ADMIN_URL ?? '';
  for (const [path, body] of [
    ['/services/late', { host: 'late.service.consul', port: 80 }],
    ['/routes/late', { paths: ['/late'], service: { name: 'late' } }],
  ] as const) {
    const res = await request(`${admin}${path}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.statusCode, await res.body.text()).toBe(200);
  }
}

/** Kong's /etc/resolv.conf, as Docker wrote it. */
async function kongResolvConf(): Promise<string> {
  const [c] = await docker.listContainers({
    filters: { label: [`dev.mkdev.project=${project.name}`, 'dev.mkdev.service=kong'] },
  });
  return (await execIn(docker.getContainer(c?.Id ?? ''), ['cat', '/etc/resolv.conf'])).output;
}

describe('search domains and Kong', () => {
  afterAll(() => removeProject(project.name));

  it('with a search domain whose DNS fails, a service not registered yet is a 500 (the leak)', async () => {
    // what Docker writes for a host whose resolv.conf says `search corp.example`
    await upKong('  kong:\n    dns_search: [corp.example]\n');
    expect(await kongResolvConf()).toMatch(/^search corp\.example$/m);
    const r = await eventually(
      async () => {
        const a = await answer('/late');
        return a.status === 404 ? undefined : a;
      },
      60_000,
      'the route to route',
    );
    expect(r).toEqual({ status: 500, message: 'dns server error: 2 server failure', fromKong: true });
  }, 900_000);

  it("the default stack's Kong has no search line, whatever the host's: the same name is Kong's 503", async () => {
    await upKong('');
    expect(await kongResolvConf()).not.toMatch(/^search /m);
    const r = await eventually(
      async () => {
        const a = await answer('/late');
        return a.status === 404 ? undefined : a;
      },
      60_000,
      'the route to route',
    );
    expect(r).toEqual({ status: 503, message: 'name resolution failed', fromKong: true });
  }, 900_000);
});
