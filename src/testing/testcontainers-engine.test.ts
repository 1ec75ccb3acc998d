import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentEngine } from '../engine/docker-client.ts';
import {
  readProperties,
  testcontainersEnv,
  useMkdevEngineForTestcontainers,
} from './testcontainers-engine.ts';

describe('telling testcontainers which engine', () => {
  it('a socket or plain tcp engine is DOCKER_HOST alone', () => {
    expect(testcontainersEnv({ kind: 'socket', uri: 'unix:///x.sock', path: '/x.sock' })).toEqual({
      DOCKER_HOST: 'unix:///x.sock',
    });
    expect(testcontainersEnv({ kind: 'tcp', uri: 'tcp://h:2375', host: 'h', port: 2375 })).toEqual({
      DOCKER_HOST: 'tcp://h:2375',
    });
  });

  it("a verified TLS engine is DOCKER_TLS_VERIFY=1 and the PEM files' directory", () => {
    const tls = { verify: true, caFile: '/c/ca.pem', certFile: '/c/cert.pem', keyFile: '/c/key.pem' };
    expect(testcontainersEnv({ kind: 'tcp', uri: 'tcp://h:2376', host: 'h', port: 2376, tls })).toEqual({
      DOCKER_HOST: 'tcp://h:2376',
      DOCKER_TLS_VERIFY: '1',
      DOCKER_CERT_PATH: '/c',
    });
  });

  it('TLS without verification cannot be told to testcontainers: a clear error', () => {
    expect(() =>
      testcontainersEnv({ kind: 'tcp', uri: 'tcp://h:2376', host: 'h', port: 2376, tls: { verify: false } }),
    ).toThrow(/testcontainers cannot reach tcp:\/\/h:2376 as mkdev does/);
  });

  it('reads .testcontainers.properties as testcontainers does, and refuses a tc.host elsewhere', () => {
    expect(readProperties('# c\ntc.host = tcp://cloud:2375\ndocker.host: unix:///a\n\n')).toEqual({
      'tc.host': 'tcp://cloud:2375',
      'docker.host': 'unix:///a',
    });
    const file = join(mkdtempSync(join(tmpdir(), 'mkdev-tc-')), '.testcontainers.properties');
    writeFileSync(file, 'tc.host=tcp://cloud.example:2375\n');
    const env: NodeJS.ProcessEnv = {};
    expect(() => useMkdevEngineForTestcontainers(env, file)).toThrow(
      `${file} sets tc.host=tcp://cloud.example:2375: testcontainers would start containers there, while mkdev uses ${currentEngine().endpoint.uri}`,
    );
    expect(env).toEqual({});
    writeFileSync(file, 'docker.host=tcp://ignored:1\n');
    useMkdevEngineForTestcontainers(env, file);
    expect(env.DOCKER_HOST).toBe(currentEngine().endpoint.uri);
  });
});
