// mkdev's version, read from its package.json (one level above both src/ and dist/), so a release bumps
// it in one place.
import { readFileSync } from 'node:fs';

export const MKDEV_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
