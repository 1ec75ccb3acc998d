// The host's extra CA bundle in every build context, as `mkdev-ca.crt`: MKDEV_CA_BUNDLE, else
// NODE_EXTRA_CA_CERTS; an empty file when there is none, so a Dockerfile's COPY of it always works.
// (test/builds.docker.test.ts holds that a real build sees it.)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { hostCaBundle, packContext } from './build-context.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'mkdev-ca-'));

function bundle(text: string): string {
  const file = join(dir(), 'ca.pem');
  writeFileSync(file, text);
  return file;
}

/** Every file of a packed context, by name, as text. */
async function unpack(stream: NodeJS.ReadableStream): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const reader = extract();
  reader.on('entry', (header, body, next) => {
    const chunks: Buffer[] = [];
    body.on('data', (c) => chunks.push(c as Buffer));
    body.on('end', () => {
      files[header.name] = Buffer.concat(chunks).toString('utf8');
      next();
    });
  });
  await new Promise<void>((resolve, reject) => {
    reader.on('finish', resolve);
    reader.on('error', reject);
    stream.pipe(reader);
  });
  return files;
}

describe("the host's CA bundle", () => {
  it('is MKDEV_CA_BUNDLE, else NODE_EXTRA_CA_CERTS, and only a file that exists', () => {
    const mine = bundle('mine');
    const node = bundle('node');
    expect(hostCaBundle({ MKDEV_CA_BUNDLE: mine, NODE_EXTRA_CA_CERTS: node })).toBe(mine);
    expect(hostCaBundle({ NODE_EXTRA_CA_CERTS: node })).toBe(node);
    expect(hostCaBundle({ NODE_EXTRA_CA_CERTS: join(dir(), 'missing.pem') })).toBeUndefined();
    expect(hostCaBundle({})).toBeUndefined();
  });

  it('travels in the build context as mkdev-ca.crt, beside the context files', async () => {
    const context = dir();
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY mkdev-ca.crt /\n');
    const pem = '-----BEGIN CERTIFICATE-----\nproxy CA\n-----END CERTIFICATE-----\n';
    expect(await unpack(await packContext(context, bundle(pem)))).toEqual({
      Dockerfile: 'FROM scratch\nCOPY mkdev-ca.crt /\n',
      'mkdev-ca.crt': pem,
    });
  });

  it('is an empty mkdev-ca.crt when the host names none', async () => {
    const context = dir();
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\n');
    expect((await unpack(await packContext(context)))['mkdev-ca.crt']).toBe('');
  });
});
