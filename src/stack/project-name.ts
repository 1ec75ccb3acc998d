// The project name without loading the whole stack: -p, else `name:` in mkdev.yaml, else the directory.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { type ParsedValues, stringFlag } from '../cli/command.ts';
import { PROJECT_FILE_NAME, sanitizeProjectName } from './load-stack.ts';

export function projectNameFor(values: ParsedValues, cwd: string): string {
  const flag = stringFlag(values, 'project');
  if (flag) return sanitizeProjectName(flag);
  const fileFlag = stringFlag(values, 'file');
  const file = resolve(cwd, fileFlag ?? PROJECT_FILE_NAME);
  if (existsSync(file)) {
    try {
      const name = (parse(readFileSync(file, 'utf8')) as { name?: unknown } | null)?.name;
      if (typeof name === 'string') return sanitizeProjectName(name);
    } catch {
      // An unparsable file still has a directory: fall through to its name.
    }
  }
  return sanitizeProjectName(basename(fileFlag ? dirname(file) : cwd));
}
