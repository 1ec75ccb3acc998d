import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.ts';
import { engineCall, engineError, isEngineError } from './engine-error.ts';

function modemError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), {
    statusCode,
    json: { message },
  });
}

describe('engine errors', () => {
  it.each([
    [409, 'Conflict. The container name "/p-prometheus-1" is already in use', 'another process is changing'],
    [400, 'invalid mount config for type "bind": bind source path does not exist: /x', "change 'volumes:'"],
    [404, 'No such image: nope:1', 'map the image'],
    [500, 'driver failed programming external connectivity: port is already allocated', 'free that port'],
    [500, 'something broke', 'mkdev doctor'],
  ])(
    'HTTP %i becomes a user error with the service, the operation, the message and a hint',
    (code, msg, hint) => {
      const error = engineError(modemError(code, msg), { service: 'api', doing: 'creating the container' });
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toBe(`api: creating the container failed: the engine said: ${msg}`);
      expect(error.hint).toContain(hint);
    },
  );

  it('a refused connection points at starting the engine', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED /var/run/docker.sock'), {
      code: 'ECONNREFUSED',
    });
    expect(isEngineError(refused)).toBe(true);
    expect(engineError(refused, { doing: 'listing containers' }).hint).toContain('start the Docker engine');
  });

  it('leaves bugs alone: a TypeError is not an engine error', async () => {
    const bug = new TypeError('x is undefined');
    expect(isEngineError(bug)).toBe(false);
    await expect(engineCall({ doing: 'x' }, () => Promise.reject(bug))).rejects.toBe(bug);
  });
});
