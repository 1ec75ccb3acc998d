// Kong's dns_resolver takes IP addresses only: a hostname such as 'consul:8600' makes Kong refuse its
// configuration at start, deep inside a container log. Checking here fails at the call instead.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { UserError } from '../../errors.ts';

/** One resolver as Kong's normalize_ip accepts it: IPv4, IPv4:port, IPv6, [IPv6] or [IPv6]:port. */
export function isDnsServerAddress(server: string): boolean {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(server);
  if (bracketed) return isIPv6(bracketed[1] as string) && validPort(bracketed[2]);
  if (isIP(server) !== 0) return true;
  const withPort = /^([^:]+):(\d+)$/.exec(server);
  return withPort !== null && isIPv4(withPort[1] as string) && validPort(withPort[2]);
}

function validPort(port: string | undefined): boolean {
  if (port === undefined) return true;
  const n = Number(port);
  return n >= 1 && n <= 65535;
}

/** Validates a Kong dns_resolver value (a comma-separated list) and returns it normalised. */
export function checkDnsResolver(value: string): string {
  const servers = value.split(',').map((s) => s.trim());
  const bad = servers.filter((s) => !isDnsServerAddress(s));
  if (bad.length > 0) {
    throw new UserError(
      `Kong's dns_resolver takes IP addresses (IPv4/6 or IPv4/6:port), got '${bad.join("', '")}'`,
      {
        hint:
          "Kong refuses host names here. Pass the resolver container's IP on the shared network, " +
          'e.g. `${consul.getIpAddress(network.getName())}:8600`.',
      },
    );
  }
  return servers.join(',');
}
