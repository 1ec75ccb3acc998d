// Bundles the CLI (src/cli/main.ts) with esbuild into dist/cli-bundle/: one entry and a chunk per
// command, loaded lazily as src/cli/registry.ts asks for them. Node's loader then resolves a handful of
// files instead of ~600 modules, which is most of a short command's start-up (bench: startup scenario).
// The library entry points (mkdev, mkdev/testing, mkdev/register) stay tsc's output, with types.
//
// Parts of dockerode used only on paths mkdev rarely takes: its BuildKit session and progress decoder
// (gRPC and protobufjs, ~170 modules, used by BuildKit builds; the session is required when dockerode
// loads) and docker-modem's SSH transport (ssh2, for DOCKER_HOST=ssh:// only, also required at load).
// Here they become stubs that require the installed module on first call, from node_modules, where it
// finds its own .proto files.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { everyAnswer } from '../src/cli/answers.ts';

interface Deferred {
  readonly importer: RegExp;
  readonly specifier: string;
  /** The installed module the stub requires on first call. */
  readonly target: string;
  /** Resolve the target from this installed file, as its importer would (it may be nested under it). */
  readonly from?: string;
  /** What the module exports: one function, a constructor (called with new), or an object of functions. */
  readonly exports: 'function' | 'constructor' | readonly string[];
}

const DEFERRED: readonly Deferred[] = [
  {
    importer: /node_modules\/dockerode\/lib\/docker\.js$/,
    specifier: './session',
    target: 'dockerode/lib/session.js',
    exports: 'function',
  },
  {
    importer: /node_modules\/dockerode\/lib\/docker\.js$/,
    specifier: './buildkit',
    target: 'dockerode/lib/buildkit.js',
    exports: ['followProgress'],
  },
  // dockerode's buildImage uses these only when given a directory ({ context }) to pack; mkdev packs
  // its build contexts itself (engine/build-context.ts) and passes a stream, so they stay unloaded.
  {
    importer: /node_modules\/dockerode\/lib\/util\.js$/,
    specifier: 'tar-fs',
    target: 'tar-fs',
    from: 'dockerode/lib/util.js',
    exports: ['pack', 'extract'],
  },
  {
    importer: /node_modules\/dockerode\/lib\/util\.js$/,
    specifier: '@balena/dockerignore',
    target: '@balena/dockerignore',
    from: 'dockerode/lib/util.js',
    exports: 'function',
  },
  // The duplex stream of an attach with stdin (openStdin), and with it readable-stream (~15 ms to load),
  // which nothing else on a command's path needs.
  {
    importer: /node_modules\/docker-modem\/lib\/modem\.js$/,
    specifier: './http_duplex',
    target: 'docker-modem/lib/http_duplex.js',
    exports: 'constructor',
  },
  {
    importer: /node_modules\/docker-modem\/lib\/modem\.js$/,
    specifier: './ssh',
    target: 'docker-modem/lib/ssh.js',
    exports: 'function',
  },
];

function stubFor(d: Deferred): string {
  const load =
    d.from === undefined
      ? `require(${JSON.stringify(d.target)})`
      : `require('node:module').createRequire(require.resolve(${JSON.stringify(d.from)}))(${JSON.stringify(d.target)})`;
  const call = (member: string) => `return ${load}${member}.apply(this, arguments);`;
  if (d.exports === 'function') return `module.exports = function () { ${call('')} };`;
  if (d.exports === 'constructor')
    return `module.exports = function (...args) { return new (${load})(...args); };`;
  const methods = d.exports.map((name) => `${name}: function () { ${call(`.${name}`)} }`);
  return `module.exports = { ${methods.join(', ')} };`;
}

const deferOnFirstCall: Plugin = {
  name: 'defer-on-first-call',
  setup(b) {
    b.onResolve(
      { filter: /^(\.\/(session|buildkit|ssh|http_duplex)|tar-fs|@balena\/dockerignore)$/ },
      (args) => {
        const hit = DEFERRED.find((d) => d.specifier === args.path && d.importer.test(args.importer));
        return hit ? { path: hit.target, namespace: 'deferred' } : undefined;
      },
    );
    b.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => {
      const d = DEFERRED.find((x) => x.target === args.path);
      return d ? { contents: stubFor(d), loader: 'js' } : undefined;
    });
    // The stub's own require stays a runtime require of the installed file.
    b.onResolve(
      { filter: /^((dockerode|docker-modem)\/lib\/[a-z_]+\.js|tar-fs|@balena\/dockerignore)$/ },
      (args) =>
        DEFERRED.some((d) => d.target === args.path) ? { path: args.path, external: true } : undefined,
    );
  },
};

// CommonJS dependencies bundled into ES modules still call require() and read __dirname.
const BANNER = [
  "import { createRequire as __mkdevCreateRequire } from 'node:module';",
  "import { fileURLToPath as __mkdevFileURLToPath } from 'node:url';",
  'const require = __mkdevCreateRequire(import.meta.url);',
  'const __filename = __mkdevFileURLToPath(import.meta.url);',
  "const __dirname = __mkdevFileURLToPath(new URL('.', import.meta.url));",
].join('\n');

const root = fileURLToPath(new URL('..', import.meta.url));
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist/cli-bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  banner: { js: BANNER },
  plugins: [deferOnFirstCall],
  external: [
    // Native addons and their optional loaders (ssh2's, pg's) stay runtime requires in try/catch.
    '*.node',
    'cpu-features',
    'pg-native',
    // Large, used by one command each, and read their own files from node_modules.
    '@kubernetes/client-node',
    'testcontainers',
    'playwright-core',
  ],
  metafile: true,
  logLevel: 'warning',
});
// Which modules went into which chunk: test/cli-startup.test.ts reads it to tell what a command loaded.
writeFileSync(`${root}/dist/cli-bundle/meta.json`, JSON.stringify(result.metafile));
// Help and version texts, printed by the launcher without loading the bundle (src/cli/answers.ts).
writeFileSync(`${root}/dist/cli-bundle/answers.json`, `${JSON.stringify(await everyAnswer())}\n`);
