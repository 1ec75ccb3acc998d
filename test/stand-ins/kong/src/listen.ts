// Parses Kong listen directives such as `0.0.0.0:8001, 0.0.0.0:8444 ssl` or `off`.
export interface Listener {
  host: string;
  port: number;
  ssl: boolean;
  flags: string[];
}

const FLAG =
  /^(ssl|http2|proxy_protocol|deferred|bind|reuseport|backlog=\d+|ipv6only=(on|off)|so_keepalive=(on|off|\w*:\w*:\d*))$/;

export function parseListen(name: string, value: string): Listener[] {
  const form =
    `${name} must be of form: [off] | <ip>:<port> [ssl] [http2] [proxy_protocol] [deferred] [bind] [reuseport] ` +
    '[backlog=%d+] [ipv6only=on] [ipv6only=off] [so_keepalive=on] [so_keepalive=off] [so_keepalive=%w*:%w*:%d*], [... next entry ...]';
  const out: Listener[] = [];
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    if (entry === 'off') return [];
    const [addr = '', ...flags] = entry.split(/\s+/);
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d+)$/.exec(addr);
    if (!m || !flags.every((f) => FLAG.test(f))) throw new Error(form);
    const port = Number(m[2]);
    if (port > 65535) throw new Error(form);
    let host = m[1] ?? '';
    if (host.startsWith('[')) host = host.slice(1, -1);
    out.push({ host, port, ssl: flags.includes('ssl'), flags });
  }
  return out;
}
