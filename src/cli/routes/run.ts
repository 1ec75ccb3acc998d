import { UserError } from '../../errors.ts';
import { renderTable } from '../../output/table.ts';
import { platformUrls } from '../../platform/role-urls.ts';
import { checkRoutes, mapRoutes, type RouteCheck } from '../../platform/route-map.ts';
import { formatVerdict, verdictOk } from '../../platform/route-verdict.ts';
import { describeRole } from '../../stack/roles.ts';
import { boolFlag, type CommandRun, projectRef } from '../command.ts';
import { EXIT_FAILURE, EXIT_OK } from '../errors.ts';
import { openProject } from '../open-project.ts';

export const run: CommandRun = async ({ values, cwd }) => {
  const { stack, engine, host } = await openProject(projectRef(values), cwd);
  const urls = platformUrls(stack, await engine.observe([]), host);
  const { gatewayAdmin: admin, discovery, gatewayProxy: proxy } = urls;
  if (!admin || !discovery || !proxy) {
    throw new UserError(
      `${describeRole(stack, 'gateway')} and ${describeRole(stack, 'discovery')} of ${stack.project} are not running`,
      { hint: "run 'mkdev up'" },
    );
  }
  const hops = await mapRoutes(admin, discovery);
  const checks: RouteCheck[] = boolFlag(values, 'check') ? await checkRoutes(proxy, hops) : [];
  const failed = checks.some((c) => !verdictOk(c.verdict));
  if (boolFlag(values, 'json')) {
    // The verdict as printed (scripts match it), and its kind for those who would rather not parse.
    const printed = checks.map((c) => ({ ...c, verdict: formatVerdict(c.verdict), kind: c.verdict.kind }));
    process.stdout.write(`${JSON.stringify({ routes: hops, checks: printed }, null, 2)}\n`);
    return failed ? EXIT_FAILURE : EXIT_OK;
  }
  if (hops.length === 0) {
    process.stdout.write(
      "no routes on Kong yet: services register theirs when they start ('mkdev new-service <name>')\n",
    );
    return EXIT_OK;
  }
  const rows = hops.map((h) => {
    const check = checks.find((c) => c.route === h.route);
    return [
      h.route,
      h.paths.join(','),
      h.service,
      h.upstream,
      h.instances.length === 0
        ? h.consulService
          ? 'none'
          : '-'
        : h.instances.map((i) => `${i.address}:${i.port} ${i.status}`).join(', '),
      ...(check ? [`${check.status} ${formatVerdict(check.verdict)}`] : []),
    ];
  });
  const headers = [
    'ROUTE',
    'PATHS',
    'SERVICE',
    'UPSTREAM',
    'CONSUL INSTANCES',
    ...(checks.length ? ['CHECK'] : []),
  ];
  process.stdout.write(`${renderTable(headers, rows)}\n`);
  return failed ? EXIT_FAILURE : EXIT_OK;
};
