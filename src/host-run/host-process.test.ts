// `mkdev run`'s host process leads its own process group, and a signal goes to the whole group: what a
// wrapper started gets it too, as a program under `go run .` must (go run relays no signal).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { eventually } from '../../test/support/cli.ts';
import { startHostProcess } from './host-process.ts';

it('a signal reaches the program a wrapper started, though the wrapper ignores it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mkdev-host-process-'));
  // The program: says it runs, and on SIGINT writes what it got and exits 0.
  writeFileSync(
    join(dir, 'program.cjs'),
    `require('fs').writeFileSync(${JSON.stringify(join(dir, 'ready'))}, String(process.pid));
process.on('SIGINT', () => { require('fs').writeFileSync(${JSON.stringify(join(dir, 'got'))}, 'SIGINT'); process.exit(0); });
setInterval(() => {}, 1000);`,
  );
  // The wrapper, as go run: catches SIGINT and does nothing with it, waits for the program, exits with its code.
  writeFileSync(
    join(dir, 'wrapper.cjs'),
    `process.on('SIGINT', () => {});
const child = require('child_process').spawn(process.execPath, [${JSON.stringify(join(dir, 'program.cjs'))}], { stdio: 'inherit' });
child.on('exit', (code) => process.exit(code ?? 1));`,
  );
  const host = await startHostProcess([process.execPath, join(dir, 'wrapper.cjs')], { cwd: dir, env: {} });
  await eventually(async () => (existsSync(join(dir, 'ready')) ? true : undefined), 20_000, 'the program');
  host.signalGroup('SIGINT');
  expect(await host.exited).toBe(0);
  expect(readFileSync(join(dir, 'got'), 'utf8')).toBe('SIGINT');
});

it('a program still handling the forwarded signal gets no second one when its wrapper dies of the first', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mkdev-host-process-'));
  const file = (name: string) => JSON.stringify(join(dir, name));
  // The program, as the Go template: the first SIGTERM starts a cleanup (deregistering: 500 ms here), a
  // second one quits at once without it.
  writeFileSync(
    join(dir, 'program.cjs'),
    `const fs = require('fs');
fs.writeFileSync(${file('ready')}, String(process.pid));
process.once('SIGTERM', () => {
  process.on('SIGTERM', () => { fs.writeFileSync(${file('forced')}, 'a second SIGTERM'); process.exit(2); });
  setTimeout(() => { fs.writeFileSync(${file('cleaned')}, 'yes'); process.exit(0); }, 500);
});
setInterval(() => {}, 1000);`,
  );
  // The wrapper, as go run: dies of SIGTERM without passing it on.
  writeFileSync(
    join(dir, 'wrapper.cjs'),
    `require('child_process').spawn(process.execPath, [${file('program.cjs')}], { stdio: 'inherit' });
setInterval(() => {}, 1000);`,
  );
  const host = await startHostProcess([process.execPath, join(dir, 'wrapper.cjs')], { cwd: dir, env: {} });
  await eventually(async () => (existsSync(join(dir, 'ready')) ? true : undefined), 20_000, 'the program');
  host.signalGroup('SIGTERM');
  // The wrapper's own end, as a shell reports it; `exited` waits for the program too.
  expect(await host.exited).toBe(143);
  expect(existsSync(join(dir, 'forced'))).toBe(false);
  expect(readFileSync(join(dir, 'cleaned'), 'utf8')).toBe('yes');
});
