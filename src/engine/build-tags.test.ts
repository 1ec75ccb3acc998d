import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { buildTag, committedImages, removeBuildTags } from './build-tags.ts';

// The classic builder's output (engine 28, through dockerode), one line per stream event, trimmed as
// ensure-image.ts keeps them.
const TWO_STAGES = [
  'Step 1/8 : ARG BASE=mkdev-offline/debian:trixie',
  'Step 2/8 : FROM ${BASE} AS build',
  ' ---> 24238339a491',
  'Step 3/8 : RUN echo one > /one',
  ' ---> Running in 102384f8a572',
  'Removing intermediate container 102384f8a572',
  ' ---> b0e66701ce08',
  'Step 4/8 : RUN echo two-$RANDOM > /two',
  ' ---> Running in b0e324468841',
  'Removing intermediate container b0e324468841',
  ' ---> 3dfb7be93087',
  'Step 5/8 : FROM ${BASE}',
  ' ---> 24238339a491',
  'Step 6/8 : COPY --from=build /two /two',
  ' ---> 200cd27ac0d8',
  'Step 7/8 : LABEL x.y=z',
  ' ---> Running in 74a3f65ebb91',
  'Removing intermediate container 74a3f65ebb91',
  ' ---> 6c7f8817018c',
  'Successfully built 6c7f8817018c',
  'Successfully tagged ms-test:1',
];

const stages = (lines: readonly string[]) => committedImages(lines).stages;

describe('committedImages', () => {
  it("names the image each stage but the last ended on, never a FROM's base or the final image", () => {
    expect(stages(TWO_STAGES)).toEqual(['3dfb7be93087']);
  });

  it("names a cached step's image too, and nothing for a stage of FROM alone", () => {
    const lines = [
      'Step 1/5 : FROM golang AS build',
      ' ---> aaaaaaaaaaaa',
      'Step 2/5 : RUN go build',
      ' ---> Using cache',
      ' ---> bbbbbbbbbbbb',
      'Step 3/5 : FROM debian AS tools',
      ' ---> cccccccccccc',
      'Step 4/5 : FROM debian',
      ' ---> cccccccccccc',
      'Step 5/5 : COPY --from=build /out /out',
      ' ---> dddddddddddd',
    ];
    expect(stages(lines)).toEqual(['bbbbbbbbbbbb']);
  });

  it('names the last image of the stage the output ends in: the final one, or the last step that passed', () => {
    expect(committedImages(TWO_STAGES).last).toBe('6c7f8817018c');
    const failed = [
      'Step 1/4 : FROM golang AS build',
      ' ---> aaaaaaaaaaaa',
      'Step 2/4 : COPY . .',
      ' ---> bbbbbbbbbbbb',
      'Step 3/4 : RUN go build',
      ' ---> Running in cccccccccccc',
    ];
    expect(committedImages(failed)).toEqual({ stages: [], last: 'bbbbbbbbbbbb' });
    // Failed at its first step: the base image is not the build's.
    expect(committedImages(failed.slice(0, 2).concat('Step 2/2 : RUN false'))).toEqual({ stages: [] });
  });

  it('names nothing for a single stage, or output in another shape', () => {
    expect(stages(TWO_STAGES.slice(0, 11).concat(TWO_STAGES.slice(19)))).toEqual([]);
    expect(stages(['#5 [build 2/3] RUN go build', '#5 DONE 1.2s', 'writing image sha256:abc'])).toEqual([]);
  });
});

describe('buildTag', () => {
  it("appends its suffix to the image's tag (latest when it has none); a registry's port is not a tag", () => {
    expect(buildTag('mkdev-shop-orders:dev', 'stage1')).toEqual({
      repo: 'mkdev-shop-orders',
      tag: 'dev-stage1',
    });
    expect(buildTag('127.0.0.1:5000/team/orders', 'stage2')).toEqual({
      repo: '127.0.0.1:5000/team/orders',
      tag: 'latest-stage2',
    });
    expect(buildTag('orders@sha256:abc', 'failed')).toBeUndefined();
  });
});

describe('removeBuildTags', () => {
  it("removes by name the build tags of the given images' tags, and no other image's", async () => {
    const listed = [
      'mkdev-shop-orders:dev',
      'mkdev-shop-orders:dev-stage1',
      'mkdev-shop-orders:dev-stage2',
      'mkdev-shop-orders:dev-failed',
      'mkdev-shop-billing:dev-stage1',
      'mkdev-shop-orders:dev-staged',
      'postgres:17',
    ];
    const removed: string[] = [];
    const docker = {
      listImages: async () => listed.map((t, i) => ({ Id: `sha256:${i}`, RepoTags: [t] })),
      getImage: (name: string) => ({
        remove: async () => {
          if (name.endsWith('stage2')) throw Object.assign(new Error('in use'), { statusCode: 409 });
          removed.push(name);
        },
      }),
    } as unknown as Docker;
    const built = [{ Id: 'sha256:0', RepoTags: ['mkdev-shop-orders:dev'] }] as Docker.ImageInfo[];
    expect(await removeBuildTags(docker, built)).toBe(2);
    // The one in use (409) stays, and says so by not being counted.
    expect(removed.sort()).toEqual(['mkdev-shop-orders:dev-failed', 'mkdev-shop-orders:dev-stage1']);
  });
});
