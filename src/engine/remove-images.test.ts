import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { removeImages } from './image.ts';

/** An engine whose image removals fail as dockerd 20.10 fails them, and whose inspect says what is left. */
function engine(failures: Record<string, { statusCode: number; message: string }>, left: Set<string>) {
  const gone = (id: string) => Object.assign(new Error(`No such image: ${id}`), { statusCode: 404 });
  return {
    getImage: (id: string) => ({
      remove: async () => {
        const failure = failures[id];
        if (failure) throw Object.assign(new Error(failure.message), failure);
        left.delete(id);
      },
      inspect: async () => {
        if (!left.has(id)) throw gone(id);
        return { Id: id };
      },
    }),
  } as unknown as Docker;
}
const images = (...ids: string[]) => ids.map((Id) => ({ Id }) as Docker.ImageInfo);

describe('removeImages', () => {
  it('counts a parent that went with its child as gone, not as a failure', async () => {
    // The child's removal took the untagged parent with it: the parent's own removal then fails with a 500.
    const left = new Set(['sha256:child']);
    const failures = { 'sha256:parent': { statusCode: 500, message: 'unrecognized image ID sha256:parent' } };
    await expect(removeImages(engine(failures, left), images('sha256:child', 'sha256:parent'))).resolves.toBe(
      1,
    );
  });

  it('fails when an image it could not remove is still there', async () => {
    const left = new Set(['sha256:a']);
    const failures = { 'sha256:a': { statusCode: 500, message: 'driver failed' } };
    await expect(removeImages(engine(failures, left), images('sha256:a'))).rejects.toThrow('driver failed');
  });
});
