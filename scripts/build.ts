// The one build: `npm run build`, the tests' global setup and the bench all run this. From an empty
// dist/ (a module deleted from src/ must not live on in the package): tsc's output (the library, with
// types), the dashboard's page, the CLI bundle, then the values of the YAML files mkdev ships.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const node = (...args: string[]) => execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });

rmSync(`${root}/dist`, { recursive: true, force: true });
node(`${root}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json');
node('scripts/build-ui.ts');
node('scripts/build-cli.ts');
node('scripts/build-parsed-yaml.ts');
