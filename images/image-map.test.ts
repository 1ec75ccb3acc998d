// Every base image a service template names, or ever named, is in the offline map: a project keeps the
// BASE_IMAGE it was scaffolded with (in its mkdev.yaml and Dockerfile), so an older scaffold must keep
// building offline. Found with `git log -p -- templates/*/Dockerfile src/scaffold/project-yaml.ts`.
import { describe, expect, it } from 'vitest';
import { IMAGE_ARGS } from '../src/scaffold/project-yaml.ts';
import { OFFLINE_IMAGE_MAP } from './lib/image-map.ts';

const EARLIER_BASES = [
  // The Python template from 67d18b1 until 0340480 moved it to Debian 13.
  'python:3.11-slim-bookworm',
];

describe('the offline image map', () => {
  it("covers the templates' build and base images, current and earlier", () => {
    const mapped = new Set(OFFLINE_IMAGE_MAP.map(([official]) => official));
    const bases = [
      ...Object.values(IMAGE_ARGS).flatMap((args) => Object.values(args).map((arg) => arg.image)),
      ...EARLIER_BASES,
    ];
    expect(bases.filter((b) => !mapped.has(b))).toEqual([]);
  });
});
