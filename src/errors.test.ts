import { describe, expect, it } from 'vitest';
import { ignoring, isConflict, isNotFound, isNotModified } from './errors.ts';

const engineError = (statusCode: number) => Object.assign(new Error(`HTTP ${statusCode}`), { statusCode });

describe("the engine's answers", () => {
  it('are told apart by status code', () => {
    expect([isNotFound, isConflict, isNotModified].map((test) => test(engineError(404)))).toEqual([
      true,
      false,
      false,
    ]);
    expect(isConflict(engineError(409))).toBe(true);
    expect(isNotModified(engineError(304))).toBe(true);
    expect(isNotFound(new Error('no status'))).toBe(false);
  });

  it('named in ignoring() pass; any other is rethrown', () => {
    const gone = ignoring(isNotModified, isNotFound);
    expect(() => gone(engineError(304))).not.toThrow();
    expect(() => gone(engineError(404))).not.toThrow();
    expect(() => gone(engineError(500))).toThrow('HTTP 500');
  });
});
