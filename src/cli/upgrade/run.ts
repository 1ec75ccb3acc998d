import { InterruptedError, UsageError } from '../../errors.ts';
import { upgradePostgres } from '../../project/upgrade-postgres.ts';
import { loadStack } from '../../stack/load-stack.ts';
import { projectNameFor } from '../../stack/project-name.ts';
import { serviceWithRole } from '../../stack/roles.ts';
import { type CommandRun, projectRef, stringFlag } from '../command.ts';
import { EXIT_INTERRUPTED, EXIT_OK } from '../errors.ts';
import { openProject } from '../open-project.ts';
import { withProjectLock } from '../with-lock.ts';

export const run: CommandRun = async (input) => {
  const [product, ...extra] = input.positionals;
  if (product !== 'postgres' || extra.length > 0) {
    throw new UsageError(
      product === 'rabbitmq'
        ? 'mkdev does not upgrade RabbitMQ data itself'
        : `mkdev upgrade takes 'postgres', not '${input.positionals.join(' ')}'`,
      product === 'rabbitmq'
        ? "RabbitMQ upgrades its own data along its supported path: 'mkdev up' names the steps (docs/upgrades.md)"
        : 'e.g. mkdev upgrade postgres',
    );
  }
  const ref = projectRef(input.values);
  // One writer per project: no `up` starts the service while its volume is being switched.
  return withProjectLock(await projectNameFor(ref, input.cwd), 'upgrade', input, async () => {
    const { stack, engine } = await openProject(ref, input.cwd);
    // Default: the stack's database (`role: database`), whatever it is called.
    const service =
      stringFlag(input.values, 'service') ?? serviceWithRole(stack, 'database')?.name ?? 'postgres';
    // The image map of the project, for postgres:<old major>: the stack with that image for the service.
    const mapImage = async (reference: string) => {
      const mapped = await loadStack({
        ...ref,
        cwd: input.cwd,
        deferSecrets: true,
        overrides: { [service]: { image: reference } },
      });
      return mapped.services[service]?.image ?? reference;
    };
    const from = stringFlag(input.values, 'from');
    const started = Date.now();
    const result = await upgradePostgres({
      stack,
      engine,
      service,
      ...(from ? { fromImage: await mapImage(from) } : {}),
      mapImage,
      log: (line) => process.stderr.write(`mkdev: ${line}\n`),
      signal: input.signal,
    }).catch((error: unknown) => {
      if (!(error instanceof InterruptedError)) throw error;
      return undefined;
    });
    if (result === undefined) {
      process.stderr.write(
        "mkdev: upgrade interrupted; the old data is kept: 'mkdev upgrade postgres' finishes it or starts over\n",
      );
      return EXIT_INTERRUPTED;
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(`${result.message}\n`);
    if (result.outcome === 'upgraded') {
      const phases = Object.entries(result.timings).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`);
      process.stdout.write(`upgraded in ${seconds} s (${phases.join(', ')})\n`);
    }
    return EXIT_OK;
  });
};
