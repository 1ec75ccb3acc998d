import { describe, expect, it } from 'vitest';
import {
  newToken,
  parseVerificationMessage,
  parseVerificationRequest,
  verificationMessage,
} from '../src/verification.ts';

describe('the verification message', () => {
  it('has the shape the original platform published', () => {
    const message = verificationMessage({ email: 'ana@example.com', name: 'Ana' }, 'tok');
    expect(JSON.parse(JSON.stringify(message))).toEqual({
      email: 'ana@example.com',
      template: 'userVerification',
      data: { name: 'Ana', token: 'tok' },
    });
  });

  it('round-trips through the queue', () => {
    const message = verificationMessage({ email: 'a@b.c', name: 'A' }, newToken());
    expect(parseVerificationMessage(JSON.stringify(message))).toEqual(message);
    expect(parseVerificationMessage('not json')).toBeUndefined();
    expect(
      parseVerificationMessage(JSON.stringify({ email: 'a@b.c', template: 'other', data: {} })),
    ).toBeUndefined();
  });

  it('uses unguessable tokens', () => {
    const token = newToken();
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(newToken()).not.toBe(token);
  });
});

describe('POST /verifications bodies', () => {
  it('accepts {email, name}', () => {
    expect(parseVerificationRequest({ email: 'a@b.c', name: ' Ana ' })).toEqual({
      email: 'a@b.c',
      name: 'Ana',
    });
  });

  it('refuses anything else with a reason', () => {
    expect(parseVerificationRequest(null)).toHaveProperty('error');
    expect(parseVerificationRequest([])).toHaveProperty('error');
    expect(parseVerificationRequest({ email: 'nope', name: 'A' })).toEqual({
      error: "'email' must be an email address",
    });
    expect(parseVerificationRequest({ email: 'a@b.c', name: '' })).toEqual({
      error: "'name' must be a non-empty string",
    });
  });
});
