import { UserError } from '../../errors.ts';
import { resolveEndpoints } from '../../project/endpoints.ts';
import { boolFlag, type CommandRun, projectRef } from '../command.ts';
import { EXIT_OK } from '../errors.ts';
import { masker, openProject } from '../open-project.ts';

export const run: CommandRun = async ({ values, cwd }) => {
  const { stack, engine, host } = await openProject(projectRef(values), cwd);
  const endpoints = resolveEndpoints(stack, await engine.observe([]), host);
  if (endpoints.length === 0) {
    throw new UserError(`${stack.project} is not running`, { hint: "start it with 'mkdev up'" });
  }
  // A person at a terminal sees ***; a script reading a pipe gets working connection strings.
  const show = boolFlag(values, 'show-secrets') || !process.stdout.isTTY;
  const mask = masker(stack.secrets, show);
  if (boolFlag(values, 'json')) {
    process.stdout.write(
      `${JSON.stringify(Object.fromEntries(endpoints.map((e) => [e.name, mask(e.value)])), null, 2)}\n`,
    );
  } else {
    process.stdout.write(endpoints.map((e) => `${e.name}=${mask(e.value)}\n`).join(''));
  }
  return EXIT_OK;
};
