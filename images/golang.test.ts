// The offline Go image (standing for golang:1.27-trixie): the toolchain, the official image's settings,
// and a module cache holding exactly the upstream amqp091-go release, so the Go template's go.sum (the
// hashes proxy.golang.org serves) builds with no module proxy.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allLogs } from '../src/engine/container-ops.ts';
import { offlineImage, Resources, requireImage } from './lib/test-docker.ts';

const GO_IMAGE = await offlineImage('golang:1.27-trixie');
const TEMPLATE_GO_SUM = readFileSync(new URL('../templates/go/go.sum', import.meta.url), 'utf8');
const resources = new Resources();

beforeAll(() => requireImage(GO_IMAGE));
afterAll(() => resources.cleanup());

async function sh(script: string): Promise<{ code: number; output: string }> {
  const container = await resources.run({ Image: GO_IMAGE, Cmd: ['bash', '-c', script] });
  const result = await container.wait();
  return { code: result.StatusCode, output: await allLogs(container) };
}

/** A program importing amqp091-go, with the given go.sum, built offline; then `go mod verify` (the cache's own integrity). */
const buildWith = (goSum: string) =>
  [
    'set -e',
    'mkdir /tmp/app && cd /tmp/app',
    "printf 'module app\\n\\ngo 1.27\\n\\nrequire github.com/rabbitmq/amqp091-go v1.10.0\\n' > go.mod",
    `cat > go.sum <<'SUM'\n${goSum.trimEnd()}\nSUM`,
    `printf 'package main\\n\\nimport amqp "github.com/rabbitmq/amqp091-go"\\n\\nfunc main() { println(amqp.Persistent) }\\n' > main.go`,
    'CGO_ENABLED=0 go build -o app .',
    './app',
    'go mod verify',
  ].join('\n');

describe(`${GO_IMAGE}`, () => {
  it("Go 1.27 with the official image's layout, offline", async () => {
    const result = await sh(
      'go version && go env GOPATH GOTOOLCHAIN GOPROXY GOFLAGS GOMODCACHE && command -v go',
    );
    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/^go version go1\.27(\.\d+)? linux\/amd64$/m);
    expect(result.output.split('\n').slice(1, 7)).toEqual([
      '/go',
      'local',
      'off',
      '-mod=mod',
      '/go/pkg/mod',
      '/usr/local/go/bin/go',
    ]);
  });

  it("builds amqp091-go v1.10.0 offline against the Go template's go.sum, and verifies it", async () => {
    const result = await sh(buildWith(TEMPLATE_GO_SUM));
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain('all modules verified');
  });

  it('refuses a go.sum whose hash is not the release proxy.golang.org serves', async () => {
    const tampered = TEMPLATE_GO_SUM.replace(/(amqp091-go v1\.10\.0 h1:)\w/, '$1A');
    expect(tampered).not.toBe(TEMPLATE_GO_SUM);
    const result = await sh(buildWith(tampered));
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('checksum mismatch');
  });
});
