// scripts/ensure-host-packages.sh against a fake apt-get (first on PATH) that records each call and
// notices when two run at once: parallel callers never overlap, a package is installed once however
// many ask for it, stale package lists get one `apt-get update`, a failure shows apt's own words.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./ensure-host-packages.sh', import.meta.url));

// Installing package P puts an executable `P-cmd` into $FAKE/installed; `install` needs package lists
// ($FAKE/lists, made by `update`) and fails for a package named `missing`. Each call lasts 300 ms and
// holds $FAKE/busy meanwhile: a second call finding it writes `overlap`.
const FAKE_APT_GET = `#!/bin/sh
fake="$FAKE"
mkdir "$fake/busy" 2>/dev/null || echo overlap >>"$fake/overlaps"
for arg; do case "$arg" in update|install|download) verb="$arg" ;; esac; done
echo "$verb" >>"$fake/calls"
sleep 0.3
status=0
case "$verb" in
  update) mkdir -p "$fake/lists" ;;
  install)
    if [ ! -d "$fake/lists" ]; then echo "E: Unable to locate package (no lists)"; status=100
    else
      for arg; do case "$arg" in
        -*|install) ;;
        missing) echo "E: Unable to locate package missing"; status=100 ;;
        *) printf '#!/bin/sh\\n' >"$fake/installed/$arg-cmd"; chmod +x "$fake/installed/$arg-cmd" ;;
      esac; done
    fi ;;
esac
rmdir "$fake/busy"
exit $status
`;

describe('ensure-host-packages.sh', () => {
  let fake: string;
  let env: Record<string, string>;
  beforeEach(() => {
    fake = mkdtempSync(join(tmpdir(), 'mkdev-host-packages-'));
    mkdirSync(join(fake, 'bin'));
    mkdirSync(join(fake, 'installed'));
    writeFileSync(join(fake, 'bin/apt-get'), FAKE_APT_GET);
    chmodSync(join(fake, 'bin/apt-get'), 0o755);
    env = {
      FAKE: fake,
      PATH: `${join(fake, 'bin')}:${join(fake, 'installed')}:/usr/bin:/bin`,
      MKDEV_HOST_PACKAGES_LOCK: join(fake, 'lock'),
    };
  });
  afterEach(() => rmSync(fake, { recursive: true, force: true }));

  const run = (...args: string[]) => execa(SCRIPT, args, { env, extendEnv: false, reject: false });
  const calls = () => readFileSync(join(fake, 'calls'), 'utf8').trim().split('\n');
  const overlaps = () => {
    try {
      return readFileSync(join(fake, 'overlaps'), 'utf8');
    } catch {
      return '';
    }
  };

  it('installs a package once when three callers ask at the same time, one apt-get at a time', async () => {
    mkdirSync(join(fake, 'lists'));
    const results = await Promise.all([1, 2, 3].map(() => run('tool-cmd=tool')));
    expect(results.map((result) => result.exitCode)).toEqual([0, 0, 0]);
    expect(calls()).toEqual(['install']);
    expect(overlaps()).toBe('');
  });

  it('runs apt-get update once, then installs, when the package lists are missing; two callers never overlap', async () => {
    const results = await Promise.all([run('a-cmd=a'), run('b-cmd=b')]);
    expect(results.map((result) => result.exitCode)).toEqual([0, 0]);
    // The first caller: install (fails: no lists), update, install; the second finds lists and installs.
    expect(calls()).toEqual(['install', 'update', 'install', 'install']);
    expect(overlaps()).toBe('');
  });

  it('does nothing, and takes no lock, when every probe is present', async () => {
    mkdirSync(join(fake, 'lists'));
    writeFileSync(join(fake, 'installed/here-cmd'), '#!/bin/sh\n', { mode: 0o755 });
    const result = await run('here-cmd=here', `${join(fake, 'installed/here-cmd')}=here`);
    expect(result.exitCode).toBe(0);
    expect(() => readFileSync(join(fake, 'calls'))).toThrow();
    expect(() => readFileSync(join(fake, 'lock'))).toThrow();
  });

  it("fails naming the package and showing apt-get's last lines when it cannot be installed", async () => {
    mkdirSync(join(fake, 'lists'));
    const result = await run('missing-cmd=missing');
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('could not install missing');
    expect(result.stderr).toContain('E: Unable to locate package missing');
  });

  it('rejects an argument that is not <probe>=<package>', async () => {
    const result = await run('debootstrap');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("expected <probe>=<package>, got 'debootstrap'");
  });
});
