import { describe, expect, it } from 'vitest';
import { ownAddress } from '../src/network.ts';

const iface = (address: string, internal: boolean, family: 'IPv4' | 'IPv6' = 'IPv4') => ({
  address,
  internal,
  family,
  netmask: '255.255.0.0',
  mac: '00:00:00:00:00:00',
  cidr: null,
  scopeid: 0,
});

describe('ownAddress', () => {
  it('picks the first non-internal IPv4 address', () => {
    expect(
      ownAddress({
        lo: [iface('127.0.0.1', true)],
        eth0: [iface('fe80::1', false, 'IPv6'), iface('172.18.0.5', false)],
      }),
    ).toBe('172.18.0.5');
  });

  it('says what to do when there is none', () => {
    expect(() => ownAddress({ lo: [iface('127.0.0.1', true)] })).toThrow(/SERVICE_ADDRESS/);
  });
});
