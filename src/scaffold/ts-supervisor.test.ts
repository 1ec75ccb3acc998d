// The TypeScript template's supervisor (templates/ts/supervisor.ts) and its warm standby (standby.ts),
// run as the image runs them (`node supervisor.ts` in the service's directory), around a small service
// of their own: src/main.ts answers HTTP with the text of src/version.ts and the marker src/tracing.ts
// set, says "ready" once listening, and leaves at "handover". No engine: the supervisor's protocol only.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  freePort,
  processName as name,
  type RunningSupervisor,
  runSupervisor,
  untilFilesSettled,
  untilGone,
} from './supervisor-harness.ts';
import { TEMPLATES_DIR } from './templates.ts';

const MAIN = `import { createServer } from 'node:http';
import { version } from './version.ts';
const server = createServer((_req, res) => res.end(\`\${version} \${(globalThis as any).tracing} \${process.pid}\`));
server.listen(Number(process.env.PORT), '127.0.0.1', () => process.send?.({ mkdev: 'ready' }));
process.on('message', (m: { mkdev?: string }) => {
  if (m?.mkdev === 'handover') server.close(() => process.exit(0));
});
process.on('SIGTERM', () => process.exit(0));
`;
// At handover it stops serving but leaves only at SIGTERM: a process whose leaving takes its time.
const MAIN_LINGERING = MAIN.replace('server.close(() => process.exit(0))', 'server.close()');
const tracing = (marker: string) => `(globalThis as any).tracing = '${marker}';\n`;

let supervisor: RunningSupervisor | undefined;
let dir = '';

afterEach(async ({ task }) => {
  // A failed or timed-out test shows what the supervisor printed: its steps say where it stopped.
  if (task.result?.state === 'fail' && supervisor) {
    process.stderr.write(`the supervisor's output:\n${supervisor.output()}\n`);
  }
  await supervisor?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** The template's supervisor in a directory of its own, with the small service above. */
async function startSupervisor(tracingSource = tracing('t1'), main = MAIN) {
  dir = mkdtempSync(join(tmpdir(), 'mkdev-ts-supervisor-'));
  mkdirSync(join(dir, 'src'));
  for (const f of ['supervisor.ts', 'standby.ts']) copyFileSync(join(TEMPLATES_DIR, 'ts', f), join(dir, f));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module', dependencies: {} }));
  writeFileSync(join(dir, 'src', 'main.ts'), main);
  writeFileSync(join(dir, 'src', 'version.ts'), `export const version = 'v1';\n`);
  writeFileSync(join(dir, 'src', 'tracing.ts'), tracingSource);
  await untilFilesSettled(dir);
  const s = runSupervisor(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', 'supervisor.ts'],
    dir,
    {},
    await freePort(),
  );
  supervisor = s;
  return { ...s, dir };
}

describe('the TS template supervisor keeps a warm standby', () => {
  it('serves an edit from the standby, which loads the edited file fresh', async () => {
    const s = await startSupervisor();
    const standby = await s.standbyPid();
    expect(await s.get()).toMatch(/^v1 t1 /);
    // Its process name tells `mkdev watch` not to wait for it to leave (container-ops.ts).
    expect(name(standby)).toBe('mkdev-standby');
    const from = s.output().length;
    writeFileSync(join(s.dir, 'src', 'version.ts'), `export const version = 'v2';\n`);
    s.child.kill('SIGHUP');
    await s.served(String(standby), from);
    expect(s.output().slice(from)).toContain(`child ${standby} starts from the warm standby`);
    expect(await s.get()).toBe(`v2 t1 ${standby}`);
    expect(name(standby)).toBe('node');
    // A new standby is there for the next edit.
    const second = await s.standbyPid(from);
    expect(second).not.toBe(standby);
  });

  it('starts the next standby at the handover, before the old child has left', async () => {
    const s = await startSupervisor(tracing('t1'), MAIN_LINGERING);
    const standby = await s.standbyPid();
    const old = Number((await s.get()).split(' ')[2]);
    const from = s.output().length;
    writeFileSync(join(s.dir, 'src', 'version.ts'), `export const version = 'v2';\n`);
    s.child.kill('SIGHUP');
    await s.waitFor(new RegExp(`child ${standby} serves; child ${old} leaves`), from);
    // The edit after this one finds a standby warm, though the old child has not left.
    const next = await s.standbyPid(from);
    expect(next).not.toBe(standby);
    expect(() => process.kill(old, 0)).not.toThrow();
    expect(await s.get()).toBe(`v2 t1 ${standby}`);
    process.kill(old, 'SIGTERM');
    await untilGone(old);
    expect(name(next)).toBe('mkdev-standby');
  });

  it('parked (SIGUSR2), keeps its standby; SIGHUP resumes the service from it, with the files as they are now', async () => {
    const s = await startSupervisor();
    const standby = await s.standbyPid();
    const serving = Number((await s.get()).split(' ')[2]);
    const from = s.output().length;
    s.child.kill('SIGUSR2');
    await s.waitFor(/parked: the child stops/, from);
    await untilGone(serving);
    expect(name(standby)).toBe('mkdev-standby');
    // `mkdev watch` syncs into a parked container: the standby never loaded the service's files.
    writeFileSync(join(s.dir, 'src', 'version.ts'), `export const version = 'v2';\n`);
    s.child.kill('SIGHUP');
    await s.waitFor(new RegExp(`unparked: child ${standby} starts`), from);
    expect(s.output().slice(from)).toContain(`child ${standby} starts from the warm standby`);
    // A new standby starts once the resumed child serves.
    expect(await s.standbyPid(from)).not.toBe(standby);
    expect(await s.get()).toBe(`v2 t1 ${standby}`);
  });

  it('starts a cold child when a file the standby loaded changed since (src/tracing.ts)', async () => {
    const s = await startSupervisor();
    const standby = await s.standbyPid();
    const from = s.output().length;
    writeFileSync(join(s.dir, 'src', 'tracing.ts'), tracing('t2'));
    writeFileSync(join(s.dir, 'src', 'version.ts'), `export const version = 'v2';\n`);
    s.child.kill('SIGHUP');
    await s.served('\\d+', from);
    expect(s.output().slice(from)).toMatch(
      new RegExp(`standby ${standby} loaded \\S*src/tracing\\.ts, changed since it started`),
    );
    expect(await s.get()).toMatch(/^v2 t2 \d+$/);
    expect(await s.get()).not.toContain(` ${standby}`);
  });

  it('starts a cold child when the standby taken at SIGHUP dies before it is warm', async () => {
    // Only in a standby (its process name says so): a tracing set-up that fails after a while.
    const s = await startSupervisor(
      `${tracing('t1')}if (process.title === 'mkdev-standby') { console.log('standby warming'); await new Promise((r) => setTimeout(r, 1500)); process.exit(3); }\n`,
    );
    await s.waitFor(/standby exited with status 3/);
    const first = Number((await s.get()).split(' ')[2]);
    // Its replacement (1 s later) fails the same way: SIGHUP while it warms up.
    const from = s.output().length;
    await s.waitFor(/standby warming/, from);
    s.child.kill('SIGHUP');
    await s.waitFor(/standby (\d+) exited with status 3 before it went: a cold child starts instead/, from);
    await s.served('\\d+', from);
    expect(s.child.exitCode).toBe(null);
    const answer = await s.get();
    expect(answer).toMatch(/^v1 t1 \d+$/);
    expect(answer).not.toBe(`v1 t1 ${first}`);
  });

  it('replaces a standby that dies, without stopping; SIGTERM stops the standby too', async () => {
    const s = await startSupervisor();
    const standby = await s.standbyPid();
    const from = s.output().length;
    process.kill(standby, 'SIGKILL');
    await s.waitFor(/standby exited with status 137: a new one starts in 1 s/, from);
    const replacement = await s.standbyPid(from);
    expect(replacement).not.toBe(standby);
    expect(await s.get()).toMatch(/^v1 t1 /);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(() => process.kill(replacement, 0)).toThrow(/ESRCH/);
  });
});
