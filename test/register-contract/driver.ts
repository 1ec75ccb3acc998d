// The contract driver for the TypeScript mkdev/register (see test/register-contract.docker.test.ts):
// runs the steps given as JSON in argv[2] and prints one JSON result per step, in the shape every
// language's driver prints. Run with Node 24 (type stripping).
import {
  deregisterFromConsul,
  RegistrationError,
  registerOnConsul,
  registerOnKong,
  unregisterFromKong,
  withRetry,
} from '../../src/register/index.ts';

interface Step {
  op: 'registerOnKong' | 'unregisterFromKong' | 'registerOnConsul' | 'deregisterFromConsul';
  // biome-ignore lint/suspicious/noExplicitAny: the contract's JSON, passed through as the library's options
  args: any;
  retry?: { attempts?: number; timeoutMs?: number; initialDelayMs: number; maxDelayMs: number };
}

async function call(step: Step): Promise<unknown> {
  switch (step.op) {
    case 'registerOnKong':
      return registerOnKong(step.args);
    case 'unregisterFromKong':
      return unregisterFromKong(step.args);
    case 'registerOnConsul':
      return registerOnConsul(step.args);
    case 'deregisterFromConsul':
      return deregisterFromConsul(step.args);
  }
}

for (const step of JSON.parse(process.argv[2] ?? '[]') as Step[]) {
  let attempts = 0;
  const delaysMs: number[] = [];
  const once = () => {
    attempts++;
    return call(step);
  };
  try {
    const value = step.retry
      ? await withRetry(once, {
          ...step.retry,
          retryIf: (e) => !(e instanceof RegistrationError && e.status === 400),
          onRetry: (_e, _attempt, delay) => delaysMs.push(delay),
        })
      : await once();
    console.log(JSON.stringify({ ok: true, value: value ?? null, attempts, delaysMs }));
  } catch (error) {
    const e = error as Error;
    console.log(
      JSON.stringify({
        ok: false,
        registrationError: e instanceof RegistrationError,
        status: e instanceof RegistrationError ? (e.status ?? null) : null,
        message: e.message,
        attempts,
        delaysMs,
      }),
    );
  }
}
