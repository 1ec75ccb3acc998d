import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.ts';
import { discoverEngine, parseEngineHost } from './engine-discovery.ts';

const servers: Server[] = [];
const homes: string[] = [];
let home = '';

/** A live Unix socket at `path` (discovery only counts sockets, not plain files). */
async function socketAt(path: string): Promise<string> {
  mkdirSync(join(path, '..'), { recursive: true });
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return path;
}

/** A context as `docker context create` writes it, in `configDir`. */
function writeContext(
  configDir: string,
  name: string,
  endpoint: Record<string, unknown>,
  tls: string[] = [],
): void {
  const id = createHash('sha256').update(name).digest('hex');
  const meta = join(configDir, 'contexts', 'meta', id);
  mkdirSync(meta, { recursive: true });
  writeFileSync(
    join(meta, 'meta.json'),
    JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: endpoint } }),
  );
  if (tls.length > 0) {
    const dir = join(configDir, 'contexts', 'tls', id, 'docker');
    mkdirSync(dir, { recursive: true });
    for (const file of tls) writeFileSync(join(dir, file), `${file}\n`);
  }
}

/** Discovery in the temporary home, whose var-run/docker.sock stands for /var/run/docker.sock. */
const discover = (env: Record<string, string | undefined> = {}) =>
  discoverEngine({ env, home, platform: 'linux', defaultSocket: join(home, 'var-run', 'docker.sock') });

function userErrorOf(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'mkdev-discovery-'));
  homes.push(home);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('discoverEngine: the Docker CLI order', () => {
  it('DOCKER_HOST wins over DOCKER_CONTEXT and config.json', () => {
    mkdirSync(join(home, '.docker'));
    writeFileSync(join(home, '.docker', 'config.json'), '{"currentContext":"colima"}');
    const choice = discover({ DOCKER_HOST: 'tcp://10.0.0.5:2375', DOCKER_CONTEXT: 'other' });
    expect(choice.endpoint).toEqual({
      kind: 'tcp',
      uri: 'tcp://10.0.0.5:2375',
      host: '10.0.0.5',
      port: 2375,
    });
    expect(choice.source).toBe('DOCKER_HOST');
  });

  it("follows config.json's currentContext to its endpoint, through a symlinked socket", async () => {
    const real = await socketAt(join(home, 'elsewhere', 'engine.sock'));
    const link = join(home, '.colima', 'default', 'docker.sock');
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(real, link);
    const configDir = join(home, '.docker');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths: {}, currentContext: 'colima' }));
    writeContext(configDir, 'colima', { Host: `unix://${link}`, SkipTLSVerify: false });
    const choice = discover();
    expect(choice.endpoint).toEqual({ kind: 'socket', uri: `unix://${link}`, path: link });
    expect(choice.source).toBe('context colima from ~/.docker/config.json');
    expect(choice.tried).toEqual([
      'DOCKER_HOST: not set',
      'DOCKER_CONTEXT: not set',
      '~/.docker/config.json: currentContext colima',
    ]);
  });

  it('DOCKER_CONTEXT overrides currentContext; DOCKER_CONFIG moves the directory', () => {
    const configDir = join(home, 'cfg');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'config.json'), '{"currentContext":"colima"}');
    writeContext(configDir, 'colima', { Host: 'unix:///colima.sock' });
    writeContext(configDir, 'remote', { Host: 'tcp://build-box:2376' }, ['ca.pem', 'cert.pem', 'key.pem']);
    const choice = discover({ DOCKER_CONFIG: configDir, DOCKER_CONTEXT: 'remote' });
    const tlsDir = join(
      configDir,
      'contexts',
      'tls',
      createHash('sha256').update('remote').digest('hex'),
      'docker',
    );
    expect(choice.endpoint).toEqual({
      kind: 'tcp',
      uri: 'tcp://build-box:2376',
      host: 'build-box',
      port: 2376,
      tls: {
        verify: true,
        caFile: join(tlsDir, 'ca.pem'),
        certFile: join(tlsDir, 'cert.pem'),
        keyFile: join(tlsDir, 'key.pem'),
      },
    });
    expect(choice.source).toBe('context remote from DOCKER_CONTEXT');
  });

  it('a context with SkipTLSVerify speaks TLS without verifying', () => {
    const configDir = join(home, '.docker');
    writeContext(configDir, 'lab', { Host: 'tcp://lab:2376', SkipTLSVerify: true });
    expect(discover({ DOCKER_CONTEXT: 'lab' }).endpoint).toMatchObject({ tls: { verify: false } });
  });

  it('a context that does not exist fails naming it and who named it', () => {
    const configDir = join(home, '.docker');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'config.json'), '{"currentContext":"gone"}');
    const error = userErrorOf(() => discover());
    expect(error.message).toContain("the Docker context 'gone' (currentContext in ~/.docker/config.json)");
    expect(error.message).toContain('does not exist');
    expect(error.hint).toContain('docker context use');
  });

  it('a malformed config.json is named with its fault and what to do', () => {
    const configDir = join(home, '.docker');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'config.json'), '{"currentContext": "colima",\n}');
    const error = userErrorOf(() => discover());
    expect(error.message).toContain(`${join(configDir, 'config.json')} (the Docker CLI's configuration)`);
    expect(error.message).toContain('is not valid JSON');
    expect(error.hint).toContain('fix the JSON');
  });

  it("context 'default' means the environment and the default socket", async () => {
    const configDir = join(home, '.docker');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'config.json'), '{"currentContext":"default"}');
    const desktop = await socketAt(join(home, '.docker', 'run', 'docker.sock'));
    const choice = discover();
    expect(choice.endpoint).toMatchObject({ path: desktop });
    expect(choice.tried).toContain("context 'default': DOCKER_HOST, else the default socket");
    // The default socket, when it exists, comes first, as for the CLI.
    const standard = await socketAt(join(home, 'var-run', 'docker.sock'));
    expect(discover().endpoint).toMatchObject({ path: standard });
    expect(discover().source).toBe('the default socket: no DOCKER_HOST, DOCKER_CONTEXT or current context');
  });
});

describe('discoverEngine: the well-known sockets', () => {
  // Each engine's socket alone in an otherwise empty home: found, and named in `source`.
  const cases: [string, (h: string, runtime: string) => string][] = [
    ['Docker Desktop', (h) => join(h, '.docker', 'run', 'docker.sock')],
    ['Colima', (h) => join(h, '.colima', 'default', 'docker.sock')],
    ['Colima before 0.4', (h) => join(h, '.colima', 'docker.sock')],
    ['OrbStack', (h) => join(h, '.orbstack', 'run', 'docker.sock')],
    ['rootless Docker', (_, r) => join(r, 'docker.sock')],
    ['Podman', (_, r) => join(r, 'podman', 'podman.sock')],
  ];
  for (const [engine, where] of cases) {
    it(`finds ${engine}'s socket`, async () => {
      const runtime = join(home, 'run-user');
      const path = await socketAt(where(home, runtime));
      const choice = discover({ XDG_RUNTIME_DIR: runtime });
      expect(choice.endpoint).toEqual({ kind: 'socket', uri: `unix://${path}`, path });
      expect(choice.source).toContain(`the ${engine} socket`);
    });
  }

  it('a plain file or a dangling link is not a socket', () => {
    mkdirSync(join(home, '.docker', 'run'), { recursive: true });
    writeFileSync(join(home, '.docker', 'run', 'docker.sock'), '');
    mkdirSync(join(home, '.orbstack', 'run'), { recursive: true });
    symlinkSync(join(home, 'nowhere.sock'), join(home, '.orbstack', 'run', 'docker.sock'));
    const choice = discover();
    expect(choice.tried).toContain('~/.docker/run/docker.sock (Docker Desktop): not there');
    expect(choice.tried).toContain('~/.orbstack/run/docker.sock (OrbStack): not there');
  });

  it('when nothing is found: the default socket, every place tried listed in order', () => {
    const choice = discover();
    const standard = join(home, 'var-run', 'docker.sock');
    expect(choice.endpoint).toEqual({ kind: 'socket', uri: `unix://${standard}`, path: standard });
    expect(choice.source).toBe('the default socket: no engine socket found anywhere');
    expect(choice.tried).toEqual([
      'DOCKER_HOST: not set',
      'DOCKER_CONTEXT: not set',
      '~/.docker/config.json: no currentContext',
      '~/var-run/docker.sock (the default socket): not there',
      '~/.docker/run/docker.sock (Docker Desktop): not there',
      '~/.docker/desktop/docker.sock (Docker Desktop for Linux): not there',
      '~/.colima/default/docker.sock (Colima): not there',
      '~/.colima/docker.sock (Colima before 0.4): not there',
      '~/.orbstack/run/docker.sock (OrbStack): not there',
    ]);
  });

  it('on Windows, the default named pipe', () => {
    const choice = discoverEngine({ env: {}, home, platform: 'win32' });
    expect(choice.endpoint).toEqual({
      kind: 'socket',
      uri: 'npipe:////./pipe/docker_engine',
      path: '//./pipe/docker_engine',
    });
  });
});

describe('TLS from the environment (the default context)', () => {
  it('DOCKER_TLS_VERIFY verifies with the PEM files of DOCKER_CERT_PATH', () => {
    const certs = join(home, 'certs');
    mkdirSync(certs);
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(certs, f), '');
    const choice = discover({
      DOCKER_HOST: 'tcp://engine:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: certs,
    });
    expect(choice.endpoint).toMatchObject({
      tls: {
        verify: true,
        caFile: join(certs, 'ca.pem'),
        certFile: join(certs, 'cert.pem'),
        keyFile: join(certs, 'key.pem'),
      },
    });
  });

  it('DOCKER_TLS alone encrypts without verifying; no DOCKER_HOST then means tcp://localhost:2376', () => {
    const choice = discover({ DOCKER_TLS: '1' });
    expect(choice.endpoint).toMatchObject({
      kind: 'tcp',
      host: 'localhost',
      port: 2376,
      tls: { verify: false },
    });
  });
});

describe('parseEngineHost', () => {
  it('reads the forms the CLI accepts', () => {
    expect(parseEngineHost('unix://', 'x')).toMatchObject({ path: '/var/run/docker.sock' });
    expect(parseEngineHost('engine.local:2375', 'x')).toMatchObject({ kind: 'tcp', host: 'engine.local' });
    expect(parseEngineHost('tcp://10.1.2.3', 'x')).toMatchObject({ port: 2375 });
    expect(parseEngineHost('tcp://[::1]:2376', 'x')).toMatchObject({ host: '::1', port: 2376 });
    expect(parseEngineHost('npipe:////./pipe/docker_engine', 'x')).toMatchObject({
      path: '//./pipe/docker_engine',
    });
  });

  it('refuses ssh:// with why, and unknown schemes', () => {
    const ssh = userErrorOf(() => parseEngineHost('ssh://me@box', 'DOCKER_HOST'));
    expect(ssh.message).toBe('DOCKER_HOST: ssh:// engines (ssh://me@box) are not supported');
    expect(ssh.hint).toContain('run mkdev on the machine the engine runs on');
    expect(userErrorOf(() => parseEngineHost('fd://3', 'DOCKER_HOST')).message).toContain('(fd://)');
  });
});

afterAll(() => {
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
});
