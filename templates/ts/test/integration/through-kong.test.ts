// The service as its callers see it: through Kong's proxy, found through Consul, over RabbitMQ.
import { expect, it } from 'vitest';

const proxy = () => {
  const url = process.env.MKDEV_KONG_PROXY_URL;
  if (!url) throw new Error('MKDEV_KONG_PROXY_URL is not set: run with vitest.integration.config.ts');
  return `${url}__ROUTE_PATH__`;
};

it('answers through Kong', async () => {
  const res = await fetch(proxy());
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({ service: '__SERVICE_NAME__' });
});

it('queues a verification and lists it once consumed', async () => {
  const email = `it-${Date.now()}@example.com`;
  const posted = await fetch(`${proxy()}/verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, name: 'Integration' }),
  });
  expect(posted.status).toBe(202);
  const deadline = Date.now() + 10_000;
  let processed: { email: string }[] = [];
  while (Date.now() < deadline) {
    processed = (
      (await (await fetch(`${proxy()}/verifications`)).json()) as { processed: { email: string }[] }
    ).processed;
    if (processed.some((p) => p.email === email)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(processed.map((p) => p.email)).toContain(email);
});
