// The address this container is reached on: Consul hands it out, so Kong (through Consul DNS)
// connects to it. It is the container's IP on the stack's network, not localhost.
import { networkInterfaces } from 'node:os';

type Interfaces = ReturnType<typeof networkInterfaces>;

/** The first non-internal IPv4 address; SERVICE_ADDRESS overrides it when a host has several. */
export function ownAddress(interfaces: Interfaces = networkInterfaces()): string {
  for (const addresses of Object.values(interfaces)) {
    for (const a of addresses ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  throw new Error('no non-internal IPv4 address to register; set SERVICE_ADDRESS');
}
