// hclog-style lines as Consul prints them: "2024-01-02T03:04:05.678Z [INFO]  agent: Synced service: service=web".

type Level = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export type Fields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(name: string, message: string, fields?: Fields): void;
  warn(name: string, message: string, fields?: Fields): void;
  error(name: string, message: string, fields?: Fields): void;
  debug(name: string, message: string, fields?: Fields): void;
  raw(line: string): void;
}

function formatValue(v: string | number | boolean): string {
  const s = String(v);
  return s === '' || /[\s"=]/.test(s) ? JSON.stringify(s) : s;
}

export function createLogger(write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  const emit = (level: Level, name: string, message: string, fields?: Fields): void => {
    const tag = `[${level}]`.padEnd(7, ' ');
    const kv = Object.entries(fields ?? {})
      .filter((e): e is [string, string | number | boolean] => e[1] !== undefined)
      .map(([k, v]) => `${k}=${formatValue(v)}`)
      .join(' ');
    write(`${new Date().toISOString()} ${tag} ${name}: ${message}${kv ? `: ${kv}` : ''}`);
  };
  return {
    info: (n, m, f) => emit('INFO', n, m, f),
    warn: (n, m, f) => emit('WARN', n, m, f),
    error: (n, m, f) => emit('ERROR', n, m, f),
    debug: () => {},
    raw: write,
  };
}

export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  debug: () => {},
  raw: () => {},
};
