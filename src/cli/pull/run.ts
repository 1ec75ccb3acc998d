import { UsageError } from '../../errors.ts';
import { chooseReporter, createReporter } from '../../output/progress-reporter.ts';
import { imagesToPull, pullImages } from '../../project/pull-images.ts';
import { boolFlag, type CommandRun, projectRef } from '../command.ts';
import { EXIT_OK } from '../errors.ts';
import { maskedError, openProject } from '../open-project.ts';

export const run: CommandRun = async ({ values, positionals, cwd, signal }) => {
  const json = boolFlag(values, 'json');
  const { stack, engine, mask } = await openProject(projectRef(values), cwd);
  for (const name of positionals) {
    if (!(name in stack.services)) {
      throw new UsageError(
        `no service '${name}' in this stack`,
        `services are: ${Object.keys(stack.services).join(', ')}`,
      );
    }
  }
  const images = imagesToPull(stack, positionals);
  const started = Date.now();
  const reporter = await createReporter(chooseReporter(json), mask);
  reporter.start([...new Set(images.flatMap((i) => i.services))]);
  let pulled: Awaited<ReturnType<typeof pullImages>>;
  try {
    pulled = await pullImages(engine.connection, images, { signal, onEvent: (e) => reporter.event(e) });
  } catch (error) {
    throw maskedError(error, mask);
  } finally {
    await reporter.stop();
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({
        type: 'summary',
        project: stack.project,
        ok: true,
        totalMs: Date.now() - started,
        images: pulled.map((p) => ({ image: p.image, services: p.services, ...p.progress })),
      })}\n`,
    );
  } else {
    process.stdout.write(`${stack.project}: ${pulled.length} images pulled in ${seconds} s\n`);
  }
  return EXIT_OK;
};
