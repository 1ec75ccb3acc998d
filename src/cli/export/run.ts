import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { exportCompose } from '../../export/export-compose.ts';
import { type CommandRun, stringFlag } from '../command.ts';
import { EXIT_OK, UsageError } from '../errors.ts';

const FORMATS = ['compose'];

export const run: CommandRun = async ({ values, positionals, cwd }) => {
  const [format, ...extra] = positionals;
  if (format === undefined || !FORMATS.includes(format) || extra.length > 0) {
    throw new UsageError(
      format === undefined ? 'export needs a format' : `cannot export '${positionals.join(' ')}'`,
      `formats: ${FORMATS.join(', ')} (mkdev export compose -o compose.yaml)`,
    );
  }
  const project = stringFlag(values, 'project');
  const file = stringFlag(values, 'file');
  const images = stringFlag(values, 'images');
  const { yaml, notes, stack } = await exportCompose({
    cwd,
    ...(project ? { project } : {}),
    ...(file ? { file } : {}),
    ...(images ? { images } : {}),
  });
  const output = stringFlag(values, 'output');
  if (output === undefined) {
    process.stdout.write(yaml);
  } else {
    writeFileSync(resolve(cwd, output), yaml, { mode: 0o600 });
    process.stderr.write(
      `mkdev: wrote ${output} (project ${stack.project}, ${Object.keys(stack.services).length} services)\n`,
    );
  }
  for (const note of notes) process.stderr.write(`mkdev: note: ${note}\n`);
  return EXIT_OK;
};
