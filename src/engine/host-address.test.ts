import { describe, expect, it } from 'vitest';
import { bindAddressFor, canListenOn, firstIpv4 } from './host-address.ts';

describe('where a host process is reached and listens', () => {
  it("reads getent ahostsv4's first IPv4 address", () => {
    expect(firstIpv4('172.17.0.1      STREAM host.docker.internal\n172.17.0.1      DGRAM  \n')).toBe(
      '172.17.0.1',
    );
    expect(firstIpv4('')).toBeUndefined();
  });

  it("listens on the address itself when it is this machine's (Linux host-gateway), else on loopback (a VM forwards there)", () => {
    expect(bindAddressFor('172.17.0.1', true)).toBe('172.17.0.1');
    expect(bindAddressFor('192.168.65.254', false)).toBe('127.0.0.1');
  });

  it('tells an address of this machine by listening on it (an interface without carrier included)', async () => {
    expect(await canListenOn('127.0.0.1')).toBe(true);
    // TEST-NET-3 (RFC 5737): no machine's own address.
    expect(await canListenOn('203.0.113.7')).toBe(false);
  });
});
