// Public library entry point of mkdev. Sub-entry points: `mkdev/register`, `mkdev/testing`.
export { MKDEV_VERSION } from './version.ts';
