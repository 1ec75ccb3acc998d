import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.ts';
import { explainStartError } from './start-errors.ts';

const postgres = 'postgres';

describe('explainStartError', () => {
  it("names the host port a port conflict is about, from Docker's wording", () => {
    const error = explainStartError(
      new Error(
        '(HTTP code 500) server error - driver failed programming external connectivity on endpoint p-postgres-1: Bind for 127.0.0.1:5432 failed: port is already allocated',
      ),
      postgres,
    ) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe('postgres: host port 127.0.0.1:5432 is already in use');
    expect(error.hint).toMatch(/^stop whatever holds port 5432, or move postgres's port/);
  });

  it("names it from the kernel's wording too", () => {
    const error = explainStartError(
      new Error('Error starting userland proxy: listen tcp4 0.0.0.0:8000: bind: address already in use'),
      postgres,
    );
    expect(error.message).toBe('postgres: host port 0.0.0.0:8000 is already in use');
  });

  it('passes any other refusal on with its first line and where to look', () => {
    const error = explainStartError(
      new Error('OCI runtime create failed\nlong details'),
      postgres,
    ) as UserError;
    expect(error.message).toBe(
      'postgres: starting the container failed: the engine said: OCI runtime create failed',
    );
    expect(error.hint).toBe("check the settings of 'postgres' in the stack file, then run the command again");
  });
});
