// nginx-style log lines, like Kong's error log: `2024/01/01 00:00:00 [notice] 1#0: *3 [kong] msg`.
const LEVELS = ['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg'] as const;
export type Level = (typeof LEVELS)[number];

let threshold = 2;

export function setLogLevel(level: string): void {
  const i = LEVELS.indexOf(level as Level);
  threshold = i < 0 ? 2 : i;
}

function stamp(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function log(level: Level, message: string): void {
  if (LEVELS.indexOf(level) < threshold) return;
  const line = `${stamp()} [${level}] ${process.pid}#0: ${message}\n`;
  if (LEVELS.indexOf(level) >= 3) process.stderr.write(line);
  else process.stdout.write(line);
}

/** Access log line in nginx's combined format, written to stdout like Kong's proxy_access_log. */
export function accessLog(
  ip: string,
  method: string,
  uri: string,
  status: number,
  bytes: number,
  ua: string,
): void {
  const d = new Date();
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  const t = `${p(d.getUTCDate())}/${months[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
  process.stdout.write(`${ip} - - [${t}] "${method} ${uri} HTTP/1.1" ${status} ${bytes} "-" "${ua}"\n`);
}
