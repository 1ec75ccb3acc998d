import type { CheckResult } from '../../doctor/check.ts';
import {
  checkApiVersion,
  checkEngine,
  checkImages,
  checkNode,
  checkPorts,
  checkResources,
} from '../../doctor/checks.ts';
import { checkDataVolumes } from '../../doctor/data-volumes.ts';
import { style } from '../../output/style.ts';
import { renderTable } from '../../output/table.ts';
import { loadStack } from '../../stack/load-stack.ts';
import { boolFlag, type CommandRun, projectRef } from '../command.ts';
import { EXIT_FAILURE, EXIT_OK } from '../errors.ts';

export const run: CommandRun = async ({ values, cwd }) => {
  // doctor connects by itself: an unreachable engine is a finding here, not an error.
  const stack = await loadStack({ ...projectRef(values), cwd, deferSecrets: true });
  const engine = await checkEngine();
  const results: CheckResult[] = [engine.result, checkNode()];
  const connection = engine.engine;
  if (engine.info && connection) {
    const [resources, ports, imageChecks, dataChecks] = await Promise.all([
      checkResources(engine.info),
      checkPorts(connection, stack),
      checkImages(connection, stack),
      checkDataVolumes(connection.project(stack.project), stack),
    ]);
    results.push(checkApiVersion(engine.info), ...resources, ...ports, ...imageChecks, ...dataChecks);
  } else {
    results.push(...(await checkPorts(undefined, stack)));
  }
  const failed = results.some((r) => r.status === 'fail');
  if (boolFlag(values, 'json')) {
    process.stdout.write(`${JSON.stringify({ ok: !failed, checks: results }, null, 2)}\n`);
  } else {
    const mark = { pass: style('green', 'pass'), warn: style('yellow', 'warn'), fail: style('red', 'FAIL') };
    const rows = results.map((r) => [mark[r.status], r.name, r.detail, r.fix ?? '']);
    process.stdout.write(`${renderTable(['', 'CHECK', 'RESULT', 'FIX'], rows)}\n`);
  }
  return failed ? EXIT_FAILURE : EXIT_OK;
};
