// Public library entry point of mkdev. Sub-entry points: `mkdev/register`, `mkdev/testing`.
export const MKDEV_VERSION = '0.1.0';
