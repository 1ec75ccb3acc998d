// What Kong 3.9's DNS client takes from the system (kong/resty/dns/utils.lua parseResolvConf +
// applyEnv, kong/resty/dns/client.lua init): resolv.conf's `search`/`domain`, `options ndots/attempts/
// timeout`, then the LOCALDOMAIN and RES_OPTIONS environment variables over them. `dns_resolver` only
// replaces the nameservers: the search list and ndots still come from here.
import { readFileSync } from 'node:fs';

export interface ResolvConf {
  /** Domains appended to names with fewer than `ndots` dots (`search`, or `domain`; last one wins). */
  search: string[];
  ndots: number;
  attempts: number;
  timeoutMs: number;
}

/** utils.lua: MAXSEARCH = 6. */
const MAXSEARCH = 6;

/**
 * utils.lua parseOption: `name:digits` as a whole. The `options` line is given whole, so a line with
 * several options (`options ndots:2 attempts:3`) sets none of them; RES_OPTIONS is split on blanks.
 */
function parseOption(target: Partial<Record<'ndots' | 'attempts' | 'timeout', number>>, details: string) {
  const m = /^(ndots|attempts|timeout):*(\d+)$/.exec(details);
  if (m?.[1]) target[m[1] as 'ndots' | 'attempts' | 'timeout'] = Number(m[2]);
}

/**
 * The file (utils.lua parseResolvConf), then the environment (applyEnv: a non-empty LOCALDOMAIN
 * replaces the search list, even with nothing but blanks; RES_OPTIONS adds options), then the
 * client's defaults (client.lua init: ndots 1, attempts 5, timeout 2000 ms; `.` dropped from search).
 */
export function readResolvConf(file = '/etc/resolv.conf', env: NodeJS.ProcessEnv = process.env): ResolvConf {
  let search: string[] | undefined;
  let domain: string | undefined;
  const options: Partial<Record<'ndots' | 'attempts' | 'timeout', number>> = {};
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // no resolv.conf: the client warns and uses its defaults
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '');
    const m = /^\s*([A-Za-z]+)\s+(.*?)\s*$/.exec(line);
    if (!m?.[1]) continue;
    const [, option, details = ''] = m;
    if (option === 'domain') {
      search = undefined;
      domain = details.toLowerCase();
    } else if (option === 'search') {
      domain = undefined;
      search = details
        .split(/\s+/)
        .filter((s) => s !== '')
        .slice(0, MAXSEARCH)
        .map((s) => s.toLowerCase());
    } else if (option === 'options') {
      parseOption(options, details);
    }
  }
  const localdomain = env.LOCALDOMAIN ?? '';
  if (localdomain !== '') {
    domain = undefined;
    search = localdomain
      .split(/\s+/)
      .filter((s) => s !== '')
      .map((s) => s.toLowerCase());
  }
  for (const o of (env.RES_OPTIONS ?? '').split(/\s+/)) parseOption(options, o);
  const list = search ?? (domain ? [domain] : []);
  return {
    search: list.filter((s) => s !== '.'),
    ndots: options.ndots ?? 1,
    attempts: Math.max(1, options.attempts ?? 5),
    timeoutMs: options.timeout && options.timeout > 0 ? options.timeout * 1000 : 2000,
  };
}
