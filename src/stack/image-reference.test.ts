import { describe, expect, it } from 'vitest';
import { registryOf } from './image-reference.ts';

describe('registryOf', () => {
  it('is docker.io for official and user images on Docker Hub', () => {
    expect(registryOf('postgres:17')).toBe('docker.io');
    expect(registryOf('hashicorp/consul:1.20')).toBe('docker.io');
    expect(registryOf('library/kong@sha256:abc')).toBe('docker.io');
    expect(registryOf('index.docker.io/library/kong:3.9')).toBe('docker.io');
  });

  it('is the first component when it names a host: a dot, a port, or localhost', () => {
    expect(registryOf('127.0.0.1:5000/library/postgres:17')).toBe('127.0.0.1:5000');
    expect(registryOf('ghcr.io/org/app:1')).toBe('ghcr.io');
    expect(registryOf('localhost/app')).toBe('localhost');
    expect(registryOf('registry:5000/app')).toBe('registry:5000');
  });
});
