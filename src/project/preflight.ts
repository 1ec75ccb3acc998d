// Checks made before the engine is touched, so a predictable failure creates nothing: build contexts and
// Dockerfiles, bind-mount sources, images (present, pullable or mapped), host ports, data volumes the
// image cannot open (data-volume-check.ts). Every problem is reported at once, each naming the service,
// the field and the fix.
import { existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import type { EngineEndpoint } from '../engine/engine-discovery.ts';
import type { EngineTraits } from '../engine/engine-traits.ts';
import { isPortFree } from '../engine/host-ports.ts';
import type { ObservedState } from '../engine/observed-state.ts';
import { UserError } from '../errors.ts';
import type { Plan, PullPolicy } from '../plan/plan.ts';
import type { ServicePlan } from '../plan/service-plan.ts';
import { IMAGE_BUILD_ARGS, registryOf } from '../stack/image-reference.ts';
import { dataVolumeProblems } from './data-volume-check.ts';

export interface Problem {
  readonly service: string;
  /** The stack-file field at fault: "build", "volumes[1]", "ports[0]", "image". */
  readonly field: string;
  readonly message: string;
  readonly fix: string;
}

const IMAGE_MAP_FIX =
  'map it to an image you have (`--images <file>`, MKDEV_IMAGES, or `images:` in mkdev.yaml); without a registry, `npm run images:offline` builds the offline set';

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

export function buildProblems(sp: ServicePlan, projectDir: string): Problem[] {
  const build = sp.service.build;
  if (sp.image !== 'build' || build === undefined) return [];
  const shown = relative(projectDir, build.context) || '.';
  if (!isDirectory(build.context)) {
    return [
      {
        service: sp.service.name,
        field: 'build',
        message: `build context ${shown} does not exist`,
        fix: `create ${shown} (\`mkdev new-service ${sp.service.name}\` writes one), or point 'build:' at an existing directory`,
      },
    ];
  }
  if (!existsSync(join(build.context, build.dockerfile))) {
    return [
      {
        service: sp.service.name,
        field: 'build.dockerfile',
        message: `no ${build.dockerfile} in the build context ${shown}`,
        fix: `add ${join(shown, build.dockerfile)}, or name the right file in 'build: { dockerfile: ... }'`,
      },
    ];
  }
  return [];
}

/** Bind-mount sources are paths on the engine's host: checkable here only when the engine is local. */
export function bindProblems(sp: ServicePlan, engineIsLocal: boolean): Problem[] {
  if (!engineIsLocal || !sp.steps.some(startsContainer)) return [];
  return sp.service.volumes.flatMap((v, i) =>
    v.kind === 'bind' && !existsSync(v.source)
      ? [
          {
            service: sp.service.name,
            field: `volumes[${i}]`,
            message: `bind-mount source ${v.source} does not exist`,
            fix: `create ${v.source}, or change that entry of 'volumes:'`,
          },
        ]
      : [],
  );
}

/** Probes reach a service through its published ports: a probe on an unpublished port can never pass. */
export function probeProblems(sp: ServicePlan): Problem[] {
  const published = new Set(sp.service.ports.map((p) => `${p.target}/${p.protocol}`));
  return (sp.service.ready?.probes ?? []).flatMap((probe) =>
    // A probe naming another service (kong_route) reaches that service's port, not this one's.
    'port' in probe && !('service' in probe) && !published.has(`${probe.port}/tcp`)
      ? [
          {
            service: sp.service.name,
            field: `ready.${probe.kind}.port`,
            message: `the readiness probe uses port ${probe.port}, which the service does not publish`,
            fix: `add "${probe.port}" to 'ports:' of ${sp.service.name}, or probe a port it publishes`,
          },
        ]
      : [],
  );
}

const PULL_NEVER_FIX =
  "run 'mkdev pull' first (it fetches every image the stack pulls), or leave out --pull never so up pulls what is missing";

/**
 * Images the plan pulls must be pullable, and under `--pull never` present: a missing tag or an
 * unreachable registry is found here, asked of the registry without pulling, before anything is created.
 * Under `--pull always` a present image is asked about too, since it is pulled anyway.
 */
async function imageProblems(engine: Engine, sp: ServicePlan, pull: PullPolicy): Promise<Problem[]> {
  const { service } = sp;
  const mapped = service.requestedImage !== service.image ? ` (mapped from ${service.requestedImage})` : '';
  if (sp.image === 'absent') {
    return [
      {
        service: service.name,
        field: 'image',
        message: `image ${service.image}${mapped} is not present, and --pull never forbids pulling it`,
        fix: PULL_NEVER_FIX,
      },
    ];
  }
  const wanted: { ref: string; field: string }[] = [];
  if (sp.image === 'pull') wanted.push({ ref: service.image, field: 'image' });
  if (sp.image === 'build') {
    for (const arg of IMAGE_BUILD_ARGS) {
      const ref = service.build?.args[arg];
      if (ref !== undefined) wanted.push({ ref, field: `build.args.${arg}` });
    }
  }
  const problems = await Promise.all(
    wanted.map(async ({ ref, field }): Promise<Problem | undefined> => {
      const pulledAnyway = pull === 'always' && field === 'image';
      const present = await engine.connection.imagePresent(ref);
      if (present && !pulledAnyway) return undefined;
      const from = field === 'image' ? mapped : '';
      if (!present && pull === 'never') {
        return {
          service: service.name,
          field,
          message: `image ${ref} is not present, and --pull never forbids pulling it`,
          fix: PULL_NEVER_FIX,
        };
      }
      const reason = await engine.connection.whyNotPullable(ref);
      if (reason === undefined) return undefined;
      return {
        service: service.name,
        field,
        message: `image ${ref}${from} ${present ? 'is present but' : 'is not present and'} cannot be pulled from ${registryOf(ref)}: ${reason}`,
        fix: IMAGE_MAP_FIX,
      };
    }),
  );
  return problems.filter((p): p is Problem => p !== undefined);
}

function startsContainer(step: ServicePlan['steps'][number]): boolean {
  return step.kind === 'create' || step.kind === 'recreate' || step.kind === 'start';
}

async function portProblems(
  engine: Engine,
  sp: ServicePlan,
  ownPorts: ReadonlySet<number>,
): Promise<Problem[]> {
  if (!sp.steps.some((s) => s.replica === 1 && startsContainer(s))) return [];
  const problems = await Promise.all(
    sp.service.ports.map(async (p, i): Promise<Problem | undefined> => {
      if (p.published === 0 || p.protocol !== 'tcp' || ownPorts.has(p.published)) return undefined;
      if (await isPortFree(p.published, p.hostIp)) return undefined;
      const holder = await engine.connection.portHolder(p.published);
      return {
        service: sp.service.name,
        field: `ports[${i}]`,
        message: `host port ${p.hostIp}:${p.published} is already in use${holder ? ` by ${holder}` : ''}`,
        fix: `free port ${p.published}, or move it: set the MKDEV_*_PORT variable named in the stack file, or override 'ports:' for ${sp.service.name} in mkdev.yaml`,
      };
    }),
  );
  return problems.filter((p): p is Problem => p !== undefined);
}

/** Bind sources can be checked here when the engine shares this machine's filesystem: a socket, no VM. */
export function engineIsLocal(endpoint: EngineEndpoint, traits: EngineTraits | undefined): boolean {
  return endpoint.kind === 'socket' && traits?.inVm !== true;
}

/** Every problem with the plan that can be found before the engine is touched. */
export async function preflightProblems(
  engine: Engine,
  plan: Plan,
  observed: ObservedState,
  projectDir: string,
): Promise<Problem[]> {
  const ownPorts = new Set(observed.containers.flatMap((c) => Object.values(c.ports)));
  // Only bind checks need the engine's /info (is it in a VM?), and only for containers the plan starts:
  // a plan that starts none (a no-op up) does not ask.
  const startsAny = Object.values(plan.services).some((sp) => sp.steps.some(startsContainer));
  const traits = startsAny ? await engine.connection.traits().catch(() => undefined) : undefined;
  const local = engineIsLocal(engine.connection.endpoint, traits);
  const [perService, data] = await Promise.all([
    Promise.all(
      Object.values(plan.services).map(async (sp) => {
        const files = [...buildProblems(sp, projectDir), ...bindProblems(sp, local), ...probeProblems(sp)];
        const [images, ports] = await Promise.all([
          imageProblems(engine, sp, plan.pull),
          portProblems(engine, sp, ownPorts),
        ]);
        return [...files, ...images, ...ports];
      }),
    ),
    dataVolumeProblems(engine, plan, observed),
  ]);
  return [...perService.flat(), ...data];
}

export function preflightError(problems: readonly Problem[]): UserError {
  const line = (p: Problem) => `${p.service}: ${p.field}: ${p.message}`;
  const [only] = problems;
  if (problems.length === 1 && only) return new UserError(line(only), { hint: only.fix });
  return new UserError(`${problems.length} problems found before starting anything (nothing was created):`, {
    details: problems.map((p) => `  - ${line(p)}\n    fix: ${p.fix}`).join('\n'),
    hint: "fix them and run 'mkdev up' again",
  });
}

/** Throws one UserError naming every problem; nothing has been created when it does. */
export async function preflight(
  engine: Engine,
  plan: Plan,
  observed: ObservedState,
  projectDir: string,
): Promise<void> {
  const problems = await preflightProblems(engine, plan, observed, projectDir);
  if (problems.length > 0) throw preflightError(problems);
}
