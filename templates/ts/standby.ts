// A warm standby for supervisor.ts: a child that has already started Node, set up tracing
// (src/tracing.ts, the OpenTelemetry SDK) and loaded the service's dependencies (package.json's
// "dependencies") and node:http, but none of the service's own modules. Until the supervisor says "go" it does
// nothing else: it does not listen, connect to RabbitMQ or register. At "go" (a `mkdev watch` edit, SIGHUP
// to the supervisor) it imports src/main.ts, which loads the service's files as they are now, and from
// there it is a child like any other: it says "ready", and the supervisor hands over to it.
//
// It tells the supervisor which files it loaded ("warm", with their paths): a file among them that changed
// since the standby started (an edit of src/tracing.ts, say) would be stale code, so the supervisor then
// starts a cold child instead (staleFile in supervisor.ts).
//
// Its process name says it is a standby: `mkdev watch` waits for the processes that ran before a restart
// to leave, standbys aside; the one that takes over is named `node` again when it goes.
import { readFileSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

process.title = 'mkdev-standby';
const loaded = new Set<string>([fileURLToPath(import.meta.url)]);
// Every file resolved from here on, by import or require (the SDK is mostly CommonJS).
registerHooks({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (resolved.url.startsWith('file:')) loaded.add(fileURLToPath(resolved.url.replace(/[?#].*$/, '')));
    return resolved;
  },
});

await import('./src/tracing.ts');
const { dependencies = {} } = JSON.parse(readFileSync('package.json', 'utf8')) as {
  dependencies?: Record<string, string>;
};
// A dependency that cannot be imported on its own (types only, no entry point) is the service's to load.
for (const name of Object.keys(dependencies)) await import(name).catch(() => {});
loaded.add(`${process.cwd()}/package.json`);
// The service's HTTP server module: src/tracing.ts's loader hook wraps node:http at its first import, some
// 40 ms of CPU that would otherwise fall on the edit's path. A built-in never makes the standby stale.
await import('node:http');

process.on('message', function go(message: { mkdev?: string }) {
  if (message?.mkdev !== 'go') return;
  process.off('message', go);
  process.title = 'node';
  import('./src/main.ts').catch((error: unknown) => {
    // As a cold child's failed start prints it (a syntax error in an edit): the supervisor then stops.
    console.error(error);
    process.exit(1);
  });
});
process.send?.({ mkdev: 'warm', files: [...loaded] });
