// mkdev's version, read from its package.json, so a release bumps it in one place.
export { MKDEV_VERSION } from './package-root.ts';
