// The templates' supervisors (templates/ts/supervisor.ts, templates/python/supervisor.py) park and
// resume their service, without the engine: each runs here over a stand-in service that logs its start
// and its SIGTERM, and leaves slowly (as a real one deregisters first). What `mkdev run` relies on:
// SIGUSR2 stops the child and the supervisor stays; SIGHUP starts a child again, only once the parked
// one has left; SIGTERM while parked ends the supervisor with status 0.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packagePath } from '../package-root.ts';

const TEMPLATES = packagePath('templates');
const LEAVE_MS = 300;

// Each child says "up <pid>" once started, "term <pid>" at SIGTERM, then "gone <pid>" as it exits.
// (The handler first: a SIGTERM right after "up" must find it.)
const TS_CHILD = `
process.on('SIGTERM', () => {
  console.log('term ' + process.pid);
  setTimeout(() => { console.log('gone ' + process.pid); process.exit(0); }, ${LEAVE_MS});
});
console.log('up ' + process.pid);
setInterval(() => {}, 1 << 30);
`;
const PY_CHILD = `
import os, signal, sys, time
# One write per line: with PYTHONUNBUFFERED print() writes the text and its newline apart, and the
# supervisor's lines on the same pipe can come in between.
def say(word):
    os.write(1, f"{word} {os.getpid()}\\n".encode())
def term(n, f):
    say("term")
    time.sleep(${LEAVE_MS / 1000})
    say("gone")
    sys.exit(0)
signal.signal(signal.SIGTERM, term)
say("up")
os.write(int(os.environ["MKDEV_READY_FD"]), b"ready")
while True:
    time.sleep(1)
`;

interface Supervised {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Waits for the n-th (from 0) line starting with `prefix`; returns the pid it names. */
  line(prefix: string, n?: number): Promise<number>;
  lines(): string[];
}

const dirs: string[] = [];
const started: ChildProcess[] = [];
afterEach(async () => {
  // SIGTERM: the supervisor stops its children too (SIGKILL would leave them running).
  await Promise.all(
    started.splice(0).map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGTERM');
      await gone;
    }),
  );
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function supervise(lang: 'ts' | 'python'): Supervised {
  const dir = mkdtempSync(join(tmpdir(), 'supervisor-park-'));
  dirs.push(dir);
  let child: ChildProcess;
  if (lang === 'ts') {
    mkdirSync(join(dir, 'src'));
    copyFileSync(join(TEMPLATES, 'ts', 'supervisor.ts'), join(dir, 'supervisor.ts'));
    writeFileSync(join(dir, 'src', 'main.ts'), TS_CHILD);
    writeFileSync(join(dir, 'src', 'tracing.ts'), '');
    child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'supervisor.ts'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  } else {
    copyFileSync(join(TEMPLATES, 'python', 'supervisor.py'), join(dir, 'supervisor.py'));
    writeFileSync(join(dir, 'main.py'), PY_CHILD);
    child = spawn('python3', ['supervisor.py'], {
      cwd: dir,
      env: { ...process.env, PORT: '0', BIND_ADDRESS: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  }
  started.push(child);
  const seen: string[] = [];
  const waiters: (() => void)[] = [];
  let partial = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop() ?? '';
    seen.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const line = (prefix: string, n = 0) =>
    new Promise<number>((resolve, reject) => {
      const check = () => {
        const hit = seen.filter((l) => l.startsWith(prefix))[n];
        if (hit !== undefined) return resolve(Number(hit.split(' ').at(-1)));
        if (child.exitCode !== null)
          return reject(new Error(`exited before '${prefix}': ${seen.join(' | ')}`));
        waiters.push(check);
      };
      check();
    });
  return { child, exited, line, lines: () => seen };
}

describe.each(['ts', 'python'] as const)('the %s supervisor parks and resumes its service', (lang) => {
  it('SIGUSR2: the child leaves, the supervisor stays; SIGHUP: a new child starts', async () => {
    const s = supervise(lang);
    const first = await s.line('up ');
    s.child.kill('SIGUSR2');
    expect(await s.line('gone ')).toBe(first);
    expect(s.child.exitCode).toBeNull();
    s.child.kill('SIGHUP');
    const second = await s.line('up ', 1);
    expect(second).not.toBe(first);
    // A normal stop after: the new child is stopped and the supervisor exits with its status.
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(await s.line('gone ', 1)).toBe(second);
  });

  it('SIGHUP while the parked child still leaves: the new one starts only after it is gone', async () => {
    const s = supervise(lang);
    await s.line('up ');
    s.child.kill('SIGUSR2');
    await s.line('term ');
    s.child.kill('SIGHUP');
    await s.line('up ', 1);
    const order = s.lines().filter((l) => /^(gone|up) /.test(l));
    expect(order.map((l) => l.split(' ')[0])).toEqual(['up', 'gone', 'up']);
  });

  it('SIGTERM while parked: the supervisor exits with status 0', async () => {
    const s = supervise(lang);
    await s.line('up ');
    s.child.kill('SIGUSR2');
    await s.line('gone ');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.lines().filter((l) => l.startsWith('up '))).toHaveLength(1);
  });
});
