import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allLogs } from '../src/engine/container-ops.ts';
import { offlineImage, Resources, requireImage } from './lib/test-docker.ts';

const NODE_IMAGE = await offlineImage('node:24-bookworm-slim');
const PYTHON_IMAGE = await offlineImage('python:3.13-slim-trixie');
// The Python template's base until it moved to Debian 13: older scaffolds still name it.
const PYTHON_311_IMAGE = await offlineImage('python:3.11-slim-bookworm');
const resources = new Resources();

beforeAll(async () => {
  await requireImage(NODE_IMAGE);
  await requireImage(PYTHON_IMAGE);
  await requireImage(PYTHON_311_IMAGE);
});
afterAll(() => resources.cleanup());

/** Runs a shell script in a fresh container of `image`; returns its exit code and output. */
async function sh(image: string, script: string): Promise<{ code: number; output: string }> {
  const container = await resources.run({ Image: image, Cmd: ['bash', '-c', script] });
  const result = await container.wait();
  return { code: result.StatusCode, output: await allLogs(container) };
}

describe('runtime images', () => {
  it(`${NODE_IMAGE}: node 24, npm, npx, CA certificates, bash, no curl or wget`, async () => {
    const result = await sh(
      NODE_IMAGE,
      [
        'set -e',
        'node --version',
        'npm --version >/dev/null && npx --version >/dev/null && echo npm-ok',
        'test -s /etc/ssl/certs/ca-certificates.crt && echo ca-ok',
        'if command -v curl || command -v wget; then echo has-downloader; fi',
      ].join('\n'),
    );
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/^v24\./m);
    expect(result.output).toContain('npm-ok');
    expect(result.output).toContain('ca-ok');
    expect(result.output).not.toContain('has-downloader');
  });

  it(`${PYTHON_IMAGE}: python 3.13 with pika, no curl`, async () => {
    const result = await sh(
      PYTHON_IMAGE,
      'python -c "import sys, pika; print(sys.version_info[:2], pika.__version__)"; command -v curl || echo no-curl',
    );
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('(3, 13)');
    expect(result.output).toContain('no-curl');
  });

  it(`${PYTHON_311_IMAGE}: python 3.11 with pika, no curl`, async () => {
    const result = await sh(
      PYTHON_311_IMAGE,
      'python -c "import sys, pika; print(sys.version_info[:2], pika.__version__)"; command -v curl || echo no-curl',
    );
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('(3, 11)');
    expect(result.output).toContain('no-curl');
  });
});
