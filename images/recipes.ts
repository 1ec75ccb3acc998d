import { existsSync } from 'node:fs';
import path from 'node:path';
import { baseParams, type DebootstrapParams } from './lib/debootstrap.ts';
import { nodeSources, stageNodeContext } from './lib/node-context.ts';
import { fileHash, recipeHash } from './lib/recipe-hash.ts';
import { bundleStandin } from './lib/standin-bundle.ts';

/**
 * Where a recipe's files are, ready to hash and build. `hashInputs` are extra hash ingredients;
 * `materialize`, when present, assembles the real build context (only when a build is needed).
 * `skip` means: not buildable here (yet).
 */
export type PreparedContext =
  | {
      dir: string;
      hashInputs: string[];
      materialize?: () => Promise<{ dir: string; cleanup: () => Promise<void> }>;
    }
  | { skip: string };

export interface Recipe {
  /** Short name, used in logs and as the dependency key. */
  id: string;
  /** The image reference built. */
  ref: string;
  /** Recipe id of the image this one is FROM. */
  parent?: string;
  /** `rootfs`: debootstrap + import (a base); `dockerfile`: a build context with a Dockerfile. */
  kind: 'rootfs' | 'dockerfile';
  /** What debootstrap installs (rootfs recipes only). */
  rootfs?: DebootstrapParams;
  /** Build arguments beside BASE_IMAGE (dockerfile recipes): one directory, several images. */
  buildArgs?: Readonly<Record<string, string>>;
  prepare(repoRoot: string): Promise<PreparedContext>;
}

const imagesDir = (repoRoot: string, ...parts: string[]) => path.join(repoRoot, 'images', ...parts);

/**
 * The repository the set is tagged under. MKDEV_OFFLINE_PREFIX moves a whole set aside (e.g. while a
 * stand-in is being changed on a branch), so two work trees on one engine do not overwrite each
 * other's images; the committed image map always names the default prefix.
 */
export const OFFLINE_PREFIX = process.env.MKDEV_OFFLINE_PREFIX || 'mkdev-offline';
const tag = (nameAndTag: string) => `${OFFLINE_PREFIX}/${nameAndTag}`;

/** A Debian base: debootstrap's minbase `suite` with the overlay of images/debian/rootfs. */
function debianBase(id: string, suite: string): Recipe {
  const params = baseParams(suite);
  return {
    id,
    ref: tag(`debian:${suite}`),
    kind: 'rootfs',
    rootfs: params,
    prepare: async (repoRoot) => ({
      dir: imagesDir(repoRoot, 'debian/rootfs'),
      // The rootfs recipe is code too: how debootstrap's output is trimmed lives in debootstrap.ts.
      hashInputs: [
        JSON.stringify(params),
        `rootfs-code:${await fileHash(imagesDir(repoRoot, 'lib/debootstrap.ts'))}`,
      ],
    }),
  };
}

/** The "next" Kong stand-in (see test/stand-ins/kong/src/schema-version.ts). */
export const KONG_NEXT_STANDIN_TAG = 'kong-standin:3.9-next';

/** A recipe whose build context is a directory under images/, FROM the trixie base unless told. */
function plain(
  id: string,
  ref: string,
  dir: string,
  options: { parent?: string; buildArgs?: Record<string, string> } = {},
): Recipe {
  return {
    id,
    ref,
    parent: options.parent ?? 'debian',
    kind: 'dockerfile',
    ...(options.buildArgs ? { buildArgs: options.buildArgs } : {}),
    prepare: async (repoRoot) => ({
      dir: imagesDir(repoRoot, dir),
      hashInputs: options.buildArgs ? [`build-args:${JSON.stringify(options.buildArgs)}`] : [],
    }),
  };
}

/** A stand-in whose recipe directory other engineers own; bundled with esbuild before the build. */
function standin(id: string, ref: string, dir: string): Recipe {
  return {
    id,
    ref,
    parent: 'node',
    kind: 'dockerfile',
    prepare: async (repoRoot) => {
      const contextDir = path.join(repoRoot, dir);
      if (!existsSync(path.join(contextDir, 'Dockerfile')))
        return { skip: `${dir}/Dockerfile does not exist yet` };
      if (!existsSync(path.join(contextDir, 'src/main.ts')))
        return { skip: `${dir}/src/main.ts does not exist yet` };
      await bundleStandin(contextDir);
      return { dir: contextDir, hashInputs: [] };
    },
  };
}

/** Every image of the offline set, parents before children. */
export const RECIPES: readonly Recipe[] = [
  // Debian 13: the release whose packages carry the majors mkdev starts for users (RabbitMQ 4,
  // PostgreSQL 17, Python 3.13).
  debianBase('debian', 'trixie'),
  // Debian 12 for the Node runtime, like the official node:24-bookworm-slim it stands for, and for the
  // older Postgres and RabbitMQ series below.
  debianBase('debian-bookworm', 'bookworm'),
  plain('postgres', tag('postgres:17'), 'postgres', { buildArgs: { PG_MAJOR: '17' } }),
  plain('rabbitmq', tag('rabbitmq:4.0'), 'rabbitmq', { buildArgs: { RABBITMQ_VERSION: '4.0.5' } }),
  // Older series, from Debian 12: the data a project upgrades from (mkdev upgrade postgres, and
  // preflight's refusal of RabbitMQ data outside its upgrade path). Same recipes, other release.
  plain('postgres-15', tag('postgres:15'), 'postgres', {
    parent: 'debian-bookworm',
    buildArgs: { PG_MAJOR: '15' },
  }),
  plain('rabbitmq-3.10', tag('rabbitmq:3.10'), 'rabbitmq', {
    parent: 'debian-bookworm',
    buildArgs: { RABBITMQ_VERSION: '3.10.8' },
  }),
  plain('prometheus', tag('prometheus:2.53'), 'prometheus'),
  plain('python', tag('python:3.13'), 'python'),
  // Python 3.11 on Debian 12, as python:3.11-slim-bookworm: the base the Python template named until
  // it moved to Debian 13 (0340480), which projects scaffolded before then still build on.
  plain('python-bookworm', tag('python:3.11'), 'python', { parent: 'debian-bookworm' }),
  // Go from trixie-backports, amqp091-go in its module cache (images/golang/Dockerfile says how).
  plain('golang', tag('golang:1.27'), 'golang'),
  {
    id: 'node',
    ref: tag('node:24'),
    parent: 'debian-bookworm',
    kind: 'dockerfile',
    prepare: async (repoRoot) => {
      const sources = await nodeSources(repoRoot);
      return {
        dir: imagesDir(repoRoot, 'node'),
        hashInputs: [`node:${await fileHash(sources.node)}`, `npm:${await recipeHash(sources.npm, [])}`],
        materialize: () => stageNodeContext(sources, imagesDir(repoRoot, 'node')),
      };
    },
  },
  standin('kong-standin', tag('kong-standin:3.9'), 'test/stand-ins/kong'),
  // The Kong stand-in of an upgrade (one more core migration), FROM kong-standin. Not in the image
  // map: a test maps kong:3.9 to it (images/lib/image-map.ts kongNextStandin).
  {
    id: 'kong-standin-next',
    ref: tag(KONG_NEXT_STANDIN_TAG),
    parent: 'kong-standin',
    kind: 'dockerfile',
    prepare: async (repoRoot) => ({ dir: path.join(repoRoot, 'test/stand-ins/kong/next'), hashInputs: [] }),
  },
  standin('consul-standin', tag('consul-standin:1.20'), 'test/stand-ins/consul'),
];

/** Instructions applied to the imported base rootfs (like the official debian image's config). */
export const BASE_CHANGES: readonly string[] = [
  'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  'ENV LANG=C.UTF-8',
  'CMD ["bash"]',
];
