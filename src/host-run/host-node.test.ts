import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.ts';
import { checkHostNode, enginesNode, nodeMismatch, nodeOfCommand } from './host-node.ts';

const dir = mkdtempSync(join(tmpdir(), 'mkdev-host-node-'));
const bin = join(dir, 'bin');
mkdirSync(bin);
for (const name of ['node', 'npm']) {
  writeFileSync(join(bin, name), '#!/bin/sh\n');
  chmodSync(join(bin, name), 0o755);
}

describe('the Node a command runs', () => {
  it('is the node named, or the first on PATH for node, npm, npx, pnpm, yarn and corepack', () => {
    expect(nodeOfCommand(['node', 'src/main.ts'], dir, bin)).toBe(join(bin, 'node'));
    expect(nodeOfCommand(['npm', 'start'], dir, `/nowhere:${bin}`)).toBe(join(bin, 'node'));
    expect(nodeOfCommand(['/opt/node24/bin/node', 'x.ts'], dir, bin)).toBe('/opt/node24/bin/node');
    expect(nodeOfCommand(['./node', 'x.ts'], dir, bin)).toBe(join(dir, 'node'));
    expect(nodeOfCommand(['python3', 'main.py'], dir, bin)).toBeUndefined();
  });

  it("reads package.json's engines.node, ignoring what is not a range", () => {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ engines: { node: '>=24' } }));
    expect(enginesNode(join(dir, 'package.json'))).toBe('>=24');
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ engines: { node: 'the latest' } }));
    expect(enginesNode(join(dir, 'bad.json'))).toBeUndefined();
    expect(enginesNode(join(dir, 'absent.json'))).toBeUndefined();
  });

  it('compares with the real version of a node binary and names the major to install', async () => {
    expect(await nodeMismatch(process.execPath, `>=${process.versions.node}`)).toBeUndefined();
    expect(await nodeMismatch(process.execPath, '>=99.1')).toEqual({
      node: process.execPath,
      version: `v${process.versions.node}`,
      range: '>=99.1',
      install: 99,
    });
  });

  it('refuses a command whose Node the service does not accept, naming the file and the fix', async () => {
    const service = join(dir, 'services', 'orders');
    mkdirSync(service, { recursive: true });
    writeFileSync(join(service, 'package.json'), JSON.stringify({ engines: { node: '>=99' } }));
    const path = dirname(process.execPath);
    const error = await checkHostNode(['npm', 'start'], dir, service, path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      `services/orders/package.json needs Node >=99 ("engines"), but ${join(path, 'node')} is v${process.versions.node}`,
    );
    expect((error as UserError).hint).toContain('install Node 99');
    await expect(checkHostNode(['python3', 'main.py'], dir, service, path)).resolves.toBeUndefined();
    await expect(checkHostNode(['npm', 'start'], dir, dir, path)).resolves.toBeUndefined();
  });
});
