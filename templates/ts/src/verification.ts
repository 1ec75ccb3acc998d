// The verification flow's message, as the original platform's registration published it to the
// mail service: {"email", "template": "userVerification", "data": {"name", "token"}}.
import { randomBytes } from 'node:crypto';

export interface VerificationRequest {
  readonly email: string;
  readonly name: string;
}

export interface VerificationMessage {
  readonly email: string;
  readonly template: 'userVerification';
  readonly data: { readonly name: string; readonly token: string };
}

/** Validates a POST /verifications body; returns the request or a message for a 400. */
export function parseVerificationRequest(body: unknown): VerificationRequest | { error: string } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return { error: 'expected a JSON object {email, name}' };
  const { email, name } = body as Record<string, unknown>;
  if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email))
    return { error: "'email' must be an email address" };
  if (typeof name !== 'string' || name.trim() === '') return { error: "'name' must be a non-empty string" };
  return { email, name: name.trim() };
}

export function newToken(): string {
  return randomBytes(16).toString('hex');
}

export function verificationMessage(request: VerificationRequest, token: string): VerificationMessage {
  return { email: request.email, template: 'userVerification', data: { name: request.name, token } };
}

/** Reads a consumed message back; anything else is refused (and dead-lettered by the caller). */
export function parseVerificationMessage(text: string): VerificationMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const m = value as Partial<VerificationMessage> | null;
  if (m === null || typeof m !== 'object' || typeof m.email !== 'string' || m.template !== 'userVerification')
    return undefined;
  if (typeof m.data?.name !== 'string' || typeof m.data.token !== 'string') return undefined;
  return { email: m.email, template: m.template, data: { name: m.data.name, token: m.data.token } };
}
