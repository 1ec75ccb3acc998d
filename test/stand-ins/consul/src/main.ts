// Entry point of the stand-in: `node main.ts <consul args>` (bundled to dist/standin.mjs for the image).

import { runCli } from './cli.ts';

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
