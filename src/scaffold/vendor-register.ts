// The register library, vendored into a service: the service's Docker build context cannot see the
// project's node_modules (or reach a module proxy offline), so the service carries its own copy. A TS
// service gets the compiled library as vendor/mkdev-register/, a Go service the Go package (module
// mkdev/register) as mkdev-register/, which its go.mod replaces the module with.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.ts';
import { packagePath } from '../package-root.ts';
import { MKDEV_VERSION } from '../version.ts';
import type { TemplateFile } from './templates.ts';

/** dist/register, from src/scaffold (a checkout, after `npm run build`) or dist/scaffold (a package). */
const REGISTER_LIBRARY_DIR = `${packagePath('dist', 'register')}/`;
/** The Go package's sources (shipped as they are: package.json's `files` lists them). */
const GO_REGISTER_PACKAGE_DIR = `${packagePath('src', 'register', 'go')}/`;

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

/** The Go package without its tests, as mkdev-register/; its go.mod says which mkdev it came from. */
export function vendoredGoRegisterPackage(dir = GO_REGISTER_PACKAGE_DIR): TemplateFile[] {
  if (!existsSync(join(dir, 'go.mod'))) {
    throw new UserError(`the Go register package is missing (${dir}go.mod)`, {
      hint: 'reinstall mkdev: its package ships src/register/go/',
    });
  }
  return readdirSync(dir)
    .filter((f) => f === 'go.mod' || (f.endsWith('.go') && !f.endsWith('_test.go')))
    .sort()
    .map((f) => {
      const content = readFileSync(join(dir, f), 'utf8');
      return {
        path: `mkdev-register/${f}`,
        content:
          f === 'go.mod'
            ? `// Vendored from mkdev ${MKDEV_VERSION} by 'mkdev new-service'.\n${content}`
            : content,
        mode: 0o644,
      };
    });
}
