// The checks `mkdev doctor` runs. Each is independent, so they run in parallel, and each has its own
// deadline so a dead engine or an unreachable registry answers in seconds, never hangs.
import { statfs } from 'node:fs/promises';
import { freemem } from 'node:os';
import { withDeadline } from '../abort.ts';
import { currentEngine, describeEngine, unreachableReason } from '../engine/docker-client.ts';
import { engineUnchecked } from '../engine/docker-connection.ts';
import type { EngineConnection, EngineDescription } from '../engine/engine.ts';
import type { EngineChoice } from '../engine/engine-discovery.ts';
import { START_ENGINE_HINT } from '../engine/engine-error.ts';
import { isPortFree, localPortHolder } from '../engine/host-ports.ts';
import { UserError } from '../errors.ts';
import type { Stack } from '../stack/model.ts';
import { pulledImages } from '../stack/pulled-images.ts';
import { type CheckResult, fail, pass, warn } from './check.ts';

/** What the default stack needs, measured on our machines with margin. */
const STACK_NEEDS = { memoryBytes: 2 * 1024 ** 3, diskBytes: 4 * 1024 ** 3 };
const MIN_API = [1, 41];
const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;

/**
 * Which engine (and why that one), and whether it answers; an unusable Docker configuration fails here.
 * `connect`: the engine without asking it first (an unreachable one is a finding, not an error).
 */
export async function checkEngine(
  connect: () => EngineConnection = engineUnchecked,
): Promise<{ result: CheckResult; engine?: EngineConnection; info?: EngineDescription }> {
  let choice: EngineChoice;
  let engine: EngineConnection;
  try {
    choice = currentEngine();
    engine = connect();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    return { result: fail('docker engine', error.message, error.hint ?? START_ENGINE_HINT) };
  }
  try {
    const info = await withDeadline(engine.describe(), 3000, 'no answer within 3 s');
    const detail = `${describeEngine(choice)}: ${info.product}, engine ${info.version}`;
    return { result: pass('docker engine', detail), engine, info };
  } catch (error) {
    // The engine's own words (a refused connection), not what mkdev was doing when it got them.
    const cause = error instanceof Error && error.cause ? error.cause : error;
    const tried = choice.tried.join('; ');
    return {
      result: fail(
        'docker engine',
        `cannot reach ${describeEngine(choice)}: ${unreachableReason(cause)} (looked at, in order: ${tried})`,
        START_ENGINE_HINT,
      ),
    };
  }
}

export function checkApiVersion(info: EngineDescription): CheckResult {
  const api = info.apiVersion || '0.0';
  const [major = 0, minor = 0] = api.split('.').map(Number);
  const ok = major > (MIN_API[0] ?? 1) || (major === MIN_API[0] && minor >= (MIN_API[1] ?? 41));
  return ok
    ? pass('engine API', `API ${api}`)
    : fail('engine API', `API ${api} is older than ${MIN_API.join('.')}`, 'upgrade Docker to 20.10 or newer');
}

export async function checkResources(info: EngineDescription): Promise<CheckResult[]> {
  const engineMem = info.memoryBytes;
  const mem = Math.min(freemem(), engineMem || Number.POSITIVE_INFINITY);
  const memory =
    mem >= STACK_NEEDS.memoryBytes
      ? pass('memory', `${gib(mem)} free, the stack needs about ${gib(STACK_NEEDS.memoryBytes)}`)
      : warn(
          'memory',
          `${gib(mem)} free, the stack needs about ${gib(STACK_NEEDS.memoryBytes)}`,
          'close other programs or give Docker more memory',
        );
  let disk: CheckResult;
  try {
    const root = info.rootDir;
    const s = await statfs(root).catch(() => statfs('/'));
    const free = s.bavail * s.bsize;
    disk =
      free >= STACK_NEEDS.diskBytes
        ? pass('disk', `${gib(free)} free for images and volumes`)
        : fail(
            'disk',
            `${gib(free)} free, images and volumes need about ${gib(STACK_NEEDS.diskBytes)}`,
            'free disk space (`docker system prune` removes unused images)',
          );
  } catch {
    disk = warn('disk', 'cannot tell the free space of the engine', 'make sure a few GiB are free');
  }
  return [memory, disk];
}

/** `engine` is undefined when it does not answer: a holder is then looked for among local processes. */
export async function checkPorts(engine: EngineConnection | undefined, stack: Stack): Promise<CheckResult[]> {
  const wanted = Object.values(stack.services).flatMap((s) =>
    s.ports
      .filter((p) => p.published !== 0 && p.protocol === 'tcp')
      .map((p) => ({ service: s.name, port: p })),
  );
  return Promise.all(
    wanted.map(async ({ service, port }) => {
      const name = `port ${port.published}`;
      if (await isPortFree(port.published, port.hostIp)) return pass(name, `free for ${service}`);
      const holder = engine ? await engine.portHolder(port.published) : localPortHolder(port.published);
      const ours = holder?.startsWith(`container ${stack.project}-`);
      return ours
        ? pass(name, `held by this project's ${holder}`)
        : fail(
            name,
            `wanted by ${service}, taken${holder ? ` by ${holder}` : ''}`,
            `free it, or move ${service} with the MKDEV_*_PORT variable in the stack file`,
          );
    }),
  );
}

export function checkNode(): CheckResult {
  const major = Number(process.versions.node.split('.')[0]);
  return major >= 22
    ? pass('node', `Node ${process.versions.node}`)
    : fail('node', `Node ${process.versions.node} is too old`, 'install Node 22 or newer');
}

/** Every image `up` would pull: the services' images, and those built services start `FROM` (their image args). */
export async function checkImages(engine: EngineConnection, stack: Stack): Promise<CheckResult[]> {
  const images = pulledImages(Object.values(stack.services)).map((p) => p.image);
  return Promise.all(
    images.map(async (image) => {
      const name = `image ${image}`;
      if (await engine.imagePresent(image)) return pass(name, 'present locally');
      // Asked of the registry without pulling layers; an unreachable one answers within seconds.
      const reason = await engine.whyNotPullable(image);
      if (reason === undefined) return pass(name, 'not present, pullable');
      return fail(
        name,
        `not present and not pullable (${reason})`,
        'use an image map (--images / MKDEV_IMAGES); offline, `npm run images:offline` builds one',
      );
    }),
  );
}
