// Stand-in for the vendored register library, only so this template type-checks inside mkdev's own
// repository. `mkdev new-service` replaces this directory with the compiled library
// (index.js, index.d.ts, package.json and their siblings).
export * from '../../../../src/register/index.ts';
