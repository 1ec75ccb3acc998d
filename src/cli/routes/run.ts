import { UserError } from '../../errors.ts';
import { renderTable } from '../../output/table.ts';
import { checkRoutes, mapRoutes, type RouteCheck } from '../../platform/route-map.ts';
import { resolveEndpoints } from '../../project/endpoints.ts';
import { boolFlag, type CommandRun, projectRef } from '../command.ts';
import { EXIT_FAILURE, EXIT_OK } from '../errors.ts';
import { openProject } from '../open-project.ts';

export const run: CommandRun = async ({ values, cwd }) => {
  const { stack, engine, host } = await openProject(projectRef(values), cwd);
  const endpoints = Object.fromEntries(
    resolveEndpoints(stack, await engine.observe(), host).map((e) => [e.name, e.value]),
  );
  const admin = endpoints.MKDEV_KONG_ADMIN_URL;
  const consul = endpoints.MKDEV_CONSUL_URL;
  const proxy = endpoints.MKDEV_KONG_PROXY_URL;
  if (!admin || !consul || !proxy)
    throw new UserError(`Kong and Consul of ${stack.project} are not running`, { hint: "run 'mkdev up'" });
  const hops = await mapRoutes(admin, consul);
  const checks: RouteCheck[] = boolFlag(values, 'check') ? await checkRoutes(proxy, hops) : [];
  const failed = checks.some((c) => !c.verdict.startsWith('ok'));
  if (boolFlag(values, 'json')) {
    process.stdout.write(`${JSON.stringify({ routes: hops, checks }, null, 2)}\n`);
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
      ...(check ? [`${check.status} ${check.verdict}`] : []),
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
