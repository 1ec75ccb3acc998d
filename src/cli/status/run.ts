import { style } from '../../output/style.ts';
import { renderTable } from '../../output/table.ts';
import { stackStatus } from '../../project/service-status.ts';
import { boolFlag, type CommandRun, projectRef } from '../command.ts';
import { EXIT_FAILURE, EXIT_OK } from '../errors.ts';
import { openProject } from '../open-project.ts';

export const run: CommandRun = async ({ values, cwd }) => {
  const { stack, engine, host, mask } = await openProject(projectRef(values), cwd, {
    showSecrets: boolFlag(values, 'show-secrets'),
  });
  const status = await stackStatus(engine, stack, host);
  const healthy = status.services.every((s) => s.ready !== false);
  if (boolFlag(values, 'json')) {
    const endpoints = Object.fromEntries(status.endpoints.map((e) => [e.name, mask(e.value)]));
    process.stdout.write(
      `${JSON.stringify({ project: status.project, healthy, services: status.services, endpoints }, null, 2)}\n`,
    );
    return healthy ? EXIT_OK : EXIT_FAILURE;
  }
  const rows = status.services.map((s) => [
    s.service + (s.replica > 1 ? `-${s.replica}` : ''),
    s.state,
    s.ready === null
      ? '-'
      : s.ready
        ? style('green', 'ready')
        : style('red', `not ready${s.reason ? ` (${s.reason})` : ''}`),
    s.state === 'missing' ? '-' : s.upToDate ? 'up to date' : style('yellow', 'changed: run mkdev up'),
    s.restarts === undefined ? '-' : String(s.restarts),
    s.lastExitCode === undefined ? '-' : String(s.lastExitCode),
    Object.entries(s.ports)
      .map(([k, v]) => `${v}->${k}`)
      .join(', '),
  ]);
  process.stdout.write(
    `${renderTable(['SERVICE', 'STATE', 'READY', 'CONFIG', 'RESTARTS', 'LAST EXIT', 'PORTS'], rows)}\n`,
  );
  return healthy ? EXIT_OK : EXIT_FAILURE;
};
