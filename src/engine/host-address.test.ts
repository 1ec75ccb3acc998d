import { describe, expect, it } from 'vitest';
import { bindAddressFor, firstIpv4 } from './host-address.ts';

describe('where a host process is reached and listens', () => {
  it("reads getent ahostsv4's first IPv4 address", () => {
    expect(firstIpv4('172.17.0.1      STREAM host.docker.internal\n172.17.0.1      DGRAM  \n')).toBe(
      '172.17.0.1',
    );
    expect(firstIpv4('')).toBeUndefined();
  });

  it("listens on the address itself when it is this machine's (Linux host-gateway), else on loopback (a VM forwards there)", () => {
    expect(bindAddressFor('172.17.0.1', ['127.0.0.1', '172.17.0.1', '10.0.0.4'])).toBe('172.17.0.1');
    expect(bindAddressFor('192.168.65.254', ['127.0.0.1', '10.0.0.4'])).toBe('127.0.0.1');
  });
});
