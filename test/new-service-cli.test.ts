// `mkdev new-service`'s command line: refusals with their exit codes and nothing written, and what it
// writes and prints. The generated services themselves are built and run in new-service.test.ts.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newService as cli } from './support/cli.ts';

function listing(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

describe('mkdev new-service (CLI)', () => {
  it.each([
    [['Orders'], 2, 'not a valid service name'],
    [['kong'], 1, "stack's own services"],
    [['orders', '--lang', 'rust'], 2, "unknown --lang 'rust'"],
    [['orders', '--path', 'orders'], 2, "--path must start with '/'"],
    [['orders', '--port', '0'], 2, '--port must be a port number'],
    [[], 2, 'missing the service name'],
    [['a', 'b'], 2, 'expected one service name'],
    [['orders', '--bogus'], 2, "Unknown option '--bogus'"],
  ])('refuses %j with exit %i, writing nothing', async (args, code, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-cli-ns-'));
    writeFileSync(join(dir, 'mkdev.yaml'), '# mine\nname: p\n');
    const before = listing(dir);
    const result = await cli(args, dir);
    expect(result.exitCode, result.all).toBe(code);
    expect(result.all).toContain(message);
    expect(listing(dir)).toEqual(before);
    expect(readFileSync(join(dir, 'mkdev.yaml'), 'utf8')).toBe('# mine\nname: p\n');
  });

  it('refuses an existing services/<name> with exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-cli-ns-'));
    expect((await cli(['orders'], dir)).exitCode).toBe(0);
    const before = listing(dir);
    const again = await cli(['orders', '--lang', 'python'], dir);
    expect(again.exitCode).toBe(1);
    expect(again.all).toContain('already');
    expect(listing(dir)).toEqual(before);
  });

  it('writes the service and prints the next steps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-cli-ns-'));
    const result = await cli(['users', '--lang', 'python', '--path', '/api/users', '--port', '9000'], dir);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('wrote services/users/ (python');
    expect(result.stdout).toContain("created mkdev.yaml: service 'users', route /api/users -> port 9000");
    expect(result.stdout).toContain('mkdev up');
    expect(result.stdout).toContain(
      '${MKDEV_KONG_PROXY_URL}/api/users/verifications'.replace(
        '${MKDEV_KONG_PROXY_URL}',
        '$MKDEV_KONG_PROXY_URL',
      ),
    );
    expect(listing(dir)).toContain(join('services', 'users', 'main.py'));
  });

  it('writes a Go service and names its own checks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mkdev-cli-ns-'));
    const result = await cli(['billing', '--lang', 'go'], dir);
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('wrote services/billing/ (go');
    expect(result.stdout).toContain('(cd services/billing && go vet ./... && go test ./...)');
    expect(listing(dir)).toEqual(
      expect.arrayContaining([
        join('services', 'billing', 'main.go'),
        join('services', 'billing', 'mkdev-register', 'kong.go'),
      ]),
    );
  });
});
