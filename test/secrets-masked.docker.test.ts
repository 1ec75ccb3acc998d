// Credentials stay hidden in what `up` prints: its endpoint table and progress lines, its NDJSON, and
// the message and log tail of a failure (a service that logs its connection string, a probe's answer
// that echoes it), unless --show-secrets asks for them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeProject, testProject } from './support/cli.ts';

// `web` logs its password and serves; `leaky` logs it and answers its probe with it, never ready.
const STACK = `extends: none
services:
  web:
    image: node:24-bookworm-slim
    command:
      - node
      - -e
      - |
        console.log('web: connecting as admin:' + process.env.WEB_PASSWORD);
        require('http').createServer((q, s) => s.end('ok')).listen(8080);
    env: { WEB_PASSWORD: "\${secret:web-password}" }
    ports: ["8080"]
    ready: { http: { port: 8080, path: / } }
    exports:
      WEB_URL: "http://admin:{{env:WEB_PASSWORD}}@{{host}}:{{port:8080}}"
  leaky:
    image: node:24-bookworm-slim
    command:
      - node
      - -e
      - |
        console.log('leaky: connecting as admin:' + process.env.WEB_PASSWORD);
        require('http').createServer((q, s) => { s.statusCode = 503; s.end('password ' + process.env.WEB_PASSWORD + ' refused'); }).listen(8080);
    env: { WEB_PASSWORD: "\${secret:web-password}" }
    ports: ["8080"]
    ready: { http: { port: 8080, path: / }, timeout: 3s }
`;

const project = testProject('masked', { 'mkdev.yaml': STACK });
afterAll(() => removeProject(project.name));

/** The generated password, from the project's secrets file (written by the first up). */
function password(): string {
  const all = JSON.parse(readFileSync(join(project.dir, '.mkdev', 'secrets.json'), 'utf8')) as Record<
    string,
    Record<string, string>
  >;
  const value = all[project.name]?.['web-password'];
  if (!value) throw new Error('no web-password in .mkdev/secrets.json');
  return value;
}

const ndjson = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('secrets in what up prints', () => {
  it('the endpoint table and the NDJSON summary show *** for the credential; --show-secrets shows it', async () => {
    const up = await project.run(['up', 'web']);
    expect(up.exitCode, up.all).toBe(0);
    const secret = password();
    expect(up.stdout).toMatch(/WEB_URL\s+http:\/\/admin:\*\*\*@127\.0\.0\.1:\d+/);
    expect(up.all).not.toContain(secret);

    const json = await project.run(['up', 'web', '--json']);
    expect(json.exitCode, json.all).toBe(0);
    const summary = ndjson(json.stdout).find((l) => l.type === 'summary') as {
      endpoints: Record<string, string>;
    };
    expect(summary.endpoints.WEB_URL).toMatch(/^http:\/\/admin:\*\*\*@127\.0\.0\.1:\d+$/);
    expect(json.all).not.toContain(secret);

    const shown = await project.run(['up', 'web', '--json', '--show-secrets']);
    const revealed = ndjson(shown.stdout).find((l) => l.type === 'summary') as {
      endpoints: Record<string, string>;
    };
    expect(revealed.endpoints.WEB_URL).toContain(`admin:${secret}@`);
  });

  it("a failure's message and log tail show *** for the credential, in plain and NDJSON output; --show-secrets shows it", async () => {
    const up = await project.run(['up', 'leaky']);
    expect(up.exitCode, up.all).toBe(1);
    const secret = password();
    // The probe's last answer is in the message, the service's own line in the log tail: both masked.
    expect(up.stderr).toContain('mkdev: leaky: not ready after 3 s');
    expect(up.stderr).toContain('password *** refused');
    expect(up.stderr).toMatch(/last log lines of leaky:\n[\s\S]*leaky: connecting as admin:\*\*\*/);
    expect(up.all).not.toContain(secret);

    const json = await project.run(['up', 'leaky', '--json']);
    expect(json.exitCode, json.all).toBe(1);
    const failed = ndjson(json.stdout).find((l) => l.type === 'event' && l.step === 'failed');
    expect(failed?.message).toContain('password *** refused');
    expect(json.stderr).toContain('leaky: connecting as admin:***');
    expect(json.all).not.toContain(secret);

    const shown = await project.run(['up', 'leaky', '--show-secrets']);
    expect(shown.exitCode, shown.all).toBe(1);
    expect(shown.stderr).toContain(`password ${secret} refused`);
    expect(shown.stderr).toContain(`leaky: connecting as admin:${secret}`);
  });
});
