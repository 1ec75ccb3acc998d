// Watches the rules' paths with Node's fs.watch (recursive works on Linux since Node 20) and hands
// every touched path on. Files named by a rule are watched through their directory: editors that
// save by renaming a temporary file over the original would otherwise end a watch on the old inode.
import { existsSync, type FSWatcher, statSync, watch } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface Watcher {
  close(): void;
}

/** What the watch loop watches through: fs.watch here, fake-watcher.ts in its tests. */
export interface FileWatcher {
  /** Hands every touched path under `paths` to `onPath` until closed. */
  watch(paths: readonly string[], onPath: (path: string) => void, onError: (error: Error) => void): Watcher;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The directories to watch: rule directories recursively, a rule file's parent alone. */
export function watchRoots(paths: readonly string[]): { dir: string; recursive: boolean }[] {
  const recursive = [...new Set(paths.filter(isDirectory))];
  const files = [...new Set(paths.filter((p) => !isDirectory(p)).map((p) => dirname(p)))];
  const covered = (dir: string, except?: string) =>
    recursive.some((r) => r !== except && (dir === r || !relative(r, dir).startsWith('..')));
  return [
    ...recursive.filter((d) => !covered(d, d)).map((dir) => ({ dir, recursive: true })),
    ...files.filter((d) => !covered(d) && existsSync(d)).map((dir) => ({ dir, recursive: false })),
  ];
}

export const fsWatcher: FileWatcher = {
  watch: (paths, onPath, onError) => watchPaths(paths, onPath, onError),
};

function watchPaths(
  paths: readonly string[],
  onPath: (path: string) => void,
  onError: (error: Error) => void,
): Watcher {
  const watchers: FSWatcher[] = [];
  for (const { dir, recursive } of watchRoots(paths)) {
    const w = watch(dir, { recursive, persistent: true }, (_event, name) => {
      if (name) onPath(join(dir, name.toString()));
    });
    w.on('error', onError);
    watchers.push(w);
  }
  return {
    close: () => {
      for (const w of watchers) w.close();
    },
  };
}
