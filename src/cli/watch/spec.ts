import { type CommandSpec, PROJECT_HELP, PROJECT_OPTIONS } from '../command.ts';

export const spec: CommandSpec = {
  name: 'watch',
  summary: "sync edits into the services' containers as you save (develop.watch rules)",
  usage: 'mkdev watch [services...] [options]',
  help: `Brings the stack up if needed, then watches the files named by each service's develop.watch
rules (every service that has some, or the ones named). A change is synced into every replica
through the engine's archive API, then, per rule: nothing more (sync), a restart (sync+restart:
of the service's process in its container when the image's supervisor allows it, label
dev.mkdev.restart-signal, as the TS and Python templates' do; else of the container), a command
run in the container (sync+exec), or the image rebuilt and the service recreated (rebuild, which
keeps the old container serving when the build fails). Then it waits
for the service's readiness and prints one line per change. Files changed while watch was not
running are synced at start. Ctrl-C stops watching, exits 0 and leaves the stack running.

Ignored: .gitignore'd files, node_modules, __pycache__, .git, .mkdev, editors' swap files.

Options:
${PROJECT_HELP}
      --json            NDJSON: bring-up events, then one {"type":"change",...} object per change

Examples:
  mkdev watch
  mkdev watch orders --json
  mkdev up --watch`,
  options: {
    ...PROJECT_OPTIONS,
    json: { type: 'boolean' },
  },
  allowPositionals: true,
};
