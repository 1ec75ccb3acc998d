// Where a browser test writes a screenshot: docs/ (the pictures the docs show) only when asked with
// MKDEV_SCREENSHOTS=1 (`npm run screenshots`), else a temporary directory, so that a test run never
// rewrites tracked files. The screenshot is taken either way: rendering the page is part of the test.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './cli.ts';

let scratch: string | undefined;

export function screenshotPath(name: string): string {
  if (process.env.MKDEV_SCREENSHOTS === '1') return join(ROOT, 'docs', name);
  scratch ??= mkdtempSync(join(tmpdir(), 'mkdev-screenshots-'));
  return join(scratch, name);
}
