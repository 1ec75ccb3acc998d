import { UsageError, UserError } from '../../errors.ts';
import { listenLocal } from '../../ui/listen.ts';
import { LiveState } from '../../ui/live-state.ts';
import { openBrowser } from '../../ui/open-browser.ts';
import { newToken } from '../../ui/security.ts';
import { createDashboardServer } from '../../ui/server.ts';
import { boolFlag, type CommandRun, projectRef, stringFlag } from '../command.ts';
import { EXIT_OK } from '../errors.ts';
import { openProject } from '../open-project.ts';

const DEFAULT_PORT = 7700;

function parsePort(text: string | undefined): number {
  if (text === undefined) return DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new UsageError(`--port takes a port number from 0 to 65535, not '${text}'`);
  return port;
}

export const run: CommandRun = async ({ values, cwd, signal }) => {
  const port = parsePort(stringFlag(values, 'port'));
  const { stack, engine, host, mask } = await openProject(projectRef(values), cwd);
  const observed = await engine.observe([]);
  if (observed.containers.length === 0)
    throw new UserError(`project '${stack.project}' does not exist on this engine (no containers)`, {
      hint: "start it with 'mkdev up', or name another with -p <project>",
    });
  const live = new LiveState({ engine, stack, host, mask, signal });
  const token = newToken();
  const server = createDashboardServer(live, token);
  const bound = await listenLocal(server, port, engine.connection);
  const url = `http://127.0.0.1:${bound}/?token=${token}`;
  process.stdout.write(`mkdev ui: ${stack.project} at ${url}\n`);
  await live.start();
  const opened = !boolFlag(values, 'no-open') && openBrowser(url);
  process.stdout.write(`${opened ? 'opened in your browser; ' : ''}Ctrl-C to stop\n`);
  await new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return EXIT_OK;
};
