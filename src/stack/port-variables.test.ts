import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStack } from './load-stack.ts';
import { freeHostPortsEnv, hostPortVariables } from './port-variables.ts';

describe('hostPortVariables', () => {
  it('names every variable of the default stack, and setting them all to 0 leaves no fixed host port', async () => {
    expect(hostPortVariables()).toEqual(
      expect.arrayContaining(['MKDEV_POSTGRES_PORT', 'MKDEV_KONG_ADMIN_PORT', 'MKDEV_CONSUL_DNS_PORT']),
    );
    const stack = await loadStack({
      cwd: mkdtempSync(join(tmpdir(), 'mkdev-ports-')),
      project: 'ports-test',
      env: freeHostPortsEnv(),
    });
    const fixed = Object.values(stack.services).flatMap((s) => s.ports.filter((p) => p.published !== 0));
    expect(fixed).toEqual([]);
  });
});
