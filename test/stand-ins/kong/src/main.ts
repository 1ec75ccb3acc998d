// Entry point of the bundle (`/usr/local/bin/kong` runs `node standin.mjs "$@"`).
import { main } from './cli.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    if (code !== 0 || !['start', 'docker-start'].includes(process.argv[2] ?? ''))
      setImmediate(() => process.exit(code));
    else process.exit(code);
  },
  (e: unknown) => {
    process.stderr.write(`Error: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
