// Opens the dashboard in the user's browser when there is one to open: macOS and Windows always have
// a desktop; elsewhere only with a display (DISPLAY or WAYLAND_DISPLAY), never on a headless server.
import { spawn } from 'node:child_process';

export function browserCommand(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
): readonly [string, ...string[]] | undefined {
  if (platform === 'darwin') return ['open'];
  if (platform === 'win32') return ['cmd', '/c', 'start', '""'];
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return ['xdg-open'];
  return undefined;
}

/** True when a browser was asked to open the URL. */
export function openBrowser(url: string): boolean {
  const command = browserCommand(process.platform, process.env);
  if (command === undefined) return false;
  const [file, ...args] = command;
  const child = spawn(file, [...args, url], { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
  return true;
}
