// The Go package's own checks, in the offline Go image (the host has no Go 1.27): gofmt, go vet and its
// unit tests (request shapes, errors, backoff against a fake server). The same cases against the real
// stand-ins, beside the TypeScript and Python libraries: test/register-contract.docker.test.ts.
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { docker, offlineImage } from '../../test/support/cli.ts';
import { goBuildCacheBind } from '../../test/support/go-toolchain.ts';
import { allLogs } from '../engine/container-ops.ts';

const PACKAGE = fileURLToPath(new URL('./go', import.meta.url));

it('passes gofmt, go vet and go test', async () => {
  const container = await docker.createContainer({
    Image: await offlineImage('golang:1.27-trixie'),
    WorkingDir: '/src',
    Cmd: [
      'bash',
      '-c',
      'set -e; unformatted="$(gofmt -l .)"; if [ -n "$unformatted" ]; then echo "not gofmt-ed: $unformatted"; exit 1; fi; go vet ./...; go test -count=1 ./...',
    ],
    HostConfig: { Binds: [`${PACKAGE}:/src:ro`, goBuildCacheBind()] },
    Labels: { 'mkdev.test': 'register-go' },
  });
  try {
    await container.start();
    const result = (await container.wait()) as { StatusCode: number };
    const output = await allLogs(container);
    expect(result.StatusCode, output).toBe(0);
    expect(output).toMatch(/^ok\s+mkdev\/register\s/m);
  } finally {
    await container.remove({ force: true });
  }
}, 900_000);
