// The compiled register library, vendored into a TS service as vendor/mkdev-register/: the service's
// Docker build context cannot see the project's node_modules, so the service carries its own copy.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { packagePath } from '../package-root.ts';
import { MKDEV_VERSION } from '../version.ts';
import type { TemplateFile } from './templates.ts';

/** dist/register, from src/scaffold (a checkout, after `npm run build`) or dist/scaffold (a package). */
const REGISTER_LIBRARY_DIR = `${packagePath('dist', 'register')}/`;

export function vendoredRegisterLibrary(dir = REGISTER_LIBRARY_DIR): TemplateFile[] {
  if (!existsSync(join(dir, 'index.js')) || !existsSync(join(dir, 'index.d.ts'))) {
    throw new UserError(`the compiled register library is missing (${dir}index.js)`, {
      hint: "in a checkout of mkdev, run 'npm run build' first",
    });
  }
  const files: TemplateFile[] = readdirSync(dir)
    .filter((f) => (f.endsWith('.js') || f.endsWith('.d.ts')) && !f.includes('.test.'))
    .sort()
    .map((f) => ({
      path: `vendor/mkdev-register/${f}`,
      // Source maps point at mkdev's sources, which the service does not have.
      content: readFileSync(join(dir, f), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'),
      mode: 0o644,
    }));
  const manifest = {
    name: 'mkdev-register',
    version: MKDEV_VERSION,
    description: "mkdev's self-registration library (Kong + Consul), vendored by 'mkdev new-service'",
    type: 'module',
    main: './index.js',
    types: './index.d.ts',
    exports: { '.': { types: './index.d.ts', default: './index.js' } },
    license: 'MIT',
  };
  files.push({
    path: 'vendor/mkdev-register/package.json',
    content: `${JSON.stringify(manifest, null, 2)}\n`,
    mode: 0o644,
  });
  return files;
}
