// The Python template's supervisor (templates/python/supervisor.py) and its warm standby (standby.py),
// run as the image runs them (`python3 supervisor.py` in the service's directory), around a small service
// of their own: main.py answers HTTP on the supervisor's socket with version.py's text and the marker of
// `fakelib` (a module outside the service, as pika is), says ready, and leaves at SIGUSR2. No engine.
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

const MAIN = `import os, signal, socket, threading
from http.server import HTTPServer, BaseHTTPRequestHandler
import fakelib
from version import VERSION

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"{VERSION} {fakelib.MARKER} {os.getpid()}".encode()
        self.send_response(200)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

server = HTTPServer(("", 0), Handler, bind_and_activate=False)
server.socket.close()
server.socket = socket.socket(fileno=int(os.environ["MKDEV_LISTEN_FD"]))
stop = threading.Event()
signal.signal(signal.SIGUSR2, lambda *_: stop.set())
signal.signal(signal.SIGTERM, lambda *_: stop.set())
threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
os.write(int(os.environ["MKDEV_READY_FD"]), b"ready\\n")
stop.wait()
server.shutdown()
`;

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

async function startSupervisor() {
  dir = mkdtempSync(join(tmpdir(), 'mkdev-py-supervisor-'));
  const app = join(dir, 'app');
  mkdirSync(app);
  mkdirSync(join(dir, 'site'));
  for (const f of ['supervisor.py', 'standby.py'])
    copyFileSync(join(TEMPLATES_DIR, 'python', f), join(app, f));
  writeFileSync(join(app, 'main.py'), MAIN);
  writeFileSync(join(app, 'version.py'), `VERSION = "v1"\n`);
  writeFileSync(join(dir, 'site', 'fakelib.py'), `MARKER = "m1"\n`);
  await untilFilesSettled(dir);
  const s = runSupervisor(
    'python3',
    ['supervisor.py'],
    app,
    { PYTHONPATH: join(dir, 'site') },
    await freePort(),
  );
  supervisor = s;
  return { ...s, app, site: join(dir, 'site') };
}

describe('the Python template supervisor keeps a warm standby', () => {
  it('serves an edit from the standby, which runs the edited files fresh', async () => {
    const s = await startSupervisor();
    const standby = await s.standbyPid();
    expect(await s.get()).toMatch(/^v1 m1 /);
    expect(name(standby)).toBe('mkdev-standby');
    const from = s.output().length;
    writeFileSync(join(s.app, 'version.py'), `VERSION = "v2"\n`);
    s.child.kill('SIGHUP');
    await s.served(String(standby), from);
    expect(s.output().slice(from)).toContain(`child ${standby} starts from the warm standby`);
    expect(await s.get()).toBe(`v2 m1 ${standby}`);
    expect(name(standby)).toBe('python3');
    expect(await s.standbyPid(from)).not.toBe(standby);
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
    writeFileSync(join(s.app, 'version.py'), `VERSION = "v2"\n`);
    s.child.kill('SIGHUP');
    await s.waitFor(new RegExp(`unparked: child ${standby} starts`), from);
    expect(s.output().slice(from)).toContain(`child ${standby} starts from the warm standby`);
    // A new standby starts once the resumed child serves.
    expect(await s.standbyPid(from)).not.toBe(standby);
    expect(await s.get()).toBe(`v2 m1 ${standby}`);
  });

  it('starts a cold child when a module the standby loaded changed since', async () => {
    const s = await startSupervisor();
    const standby = await s.standbyPid();
    const from = s.output().length;
    writeFileSync(join(s.site, 'fakelib.py'), `MARKER = "m2"\n`);
    writeFileSync(join(s.app, 'version.py'), `VERSION = "v2"\n`);
    s.child.kill('SIGHUP');
    await s.served('\\d+', from);
    expect(s.output().slice(from)).toMatch(
      new RegExp(`standby ${standby} loaded \\S*fakelib\\.py, changed since it started`),
    );
    const answer = await s.get();
    expect(answer).toMatch(/^v2 m2 \d+$/);
    expect(answer).not.toContain(` ${standby}`);
  });

  it('replaces a standby that dies, without stopping; SIGTERM stops the standby too', async () => {
    const s = await startSupervisor();
    const standby = await s.standbyPid();
    const from = s.output().length;
    process.kill(standby, 'SIGKILL');
    await s.waitFor(/standby exited with status 137: a new one starts in 1 s/, from);
    const replacement = await s.standbyPid(from);
    expect(replacement).not.toBe(standby);
    expect(await s.get()).toMatch(/^v1 m1 /);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
    expect(() => process.kill(replacement, 0)).toThrow(/ESRCH/);
  });
});
