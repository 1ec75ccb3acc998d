// The directory a new service goes to must stay inside the project: a symlinked services/ (or one of
// its parents) pointing elsewhere would make `new-service` write outside it.
import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, sep } from 'node:path';
import { UserError } from '../errors.ts';

/** lstat, so a dangling symlink counts as present. */
function present(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function inside(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Refuses a target that exists (as anything, a dangling symlink too) or that resolves outside projectDir. */
export function checkTarget(projectDir: string, target: string, shown: string): void {
  if (present(target)) {
    throw new UserError(`${shown} already exists`, {
      hint: 'pick another name, or remove that directory first',
    });
  }
  const root = realpathSync(projectDir);
  let ancestor = dirname(target);
  while (!existsSync(ancestor)) ancestor = dirname(ancestor);
  if (!statSync(ancestor).isDirectory()) {
    throw new UserError(`${relative(projectDir, ancestor)} is not a directory`, {
      hint: 'move it away, then run the command again',
    });
  }
  const resolved = realpathSync(ancestor);
  if (!inside(root, resolved)) {
    throw new UserError(
      `${shown} would be written outside the project (${dirname(shown)} resolves to ${resolved})`,
      {
        hint: `make ${dirname(shown)} a real directory inside ${root}`,
      },
    );
  }
  // A dangling symlink on the way (e.g. services -> /elsewhere/missing) would be created through.
  for (let dir = dirname(target); dir.length > projectDir.length; dir = dirname(dir)) {
    if (present(dir) && !existsSync(dir)) {
      throw new UserError(`${relative(projectDir, dir)} is a symlink to a missing directory`, {
        hint: 'remove it, or create what it points to',
      });
    }
  }
}
