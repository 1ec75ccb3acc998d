// Shell snippets the exported Compose file runs inside the stack's own images. Kong's, RabbitMQ's and
// Postgres's official images have no curl, but they (and every image of the offline set) have bash,
// so HTTP is spoken over bash's /dev/tcp: one request per connection, HTTP/1.0 so the server closes it.

/** Quotes a string for a POSIX shell: single quotes, with embedded ones spliced in. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

export interface RawHttpRequest {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/**
 * Bash that sends one request on fd 3 and reads the status code into $code; the rest of the response
 * stays readable on fd 3.
 */
export function bashSend(req: RawHttpRequest): string {
  const headers: Record<string, string> = { Host: req.host, ...req.headers };
  if (req.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(req.body));
  // Header lines go into printf's format: their backslashes and percent signs are escaped.
  const forFormat = (text: string) => text.replace(/\\/g, '\\\\').replace(/%/g, '%%');
  const head = [
    `${req.method} %s HTTP/1.0`,
    ...Object.entries(headers).map(([k, v]) => forFormat(`${k}: ${v}`)),
  ].join('\\r\\n');
  // The path and body travel as printf arguments, so a % in them is never read as a format.
  const args = [shellQuote(req.path), ...(req.body === undefined ? [] : [shellQuote(req.body)])];
  const format = `${head}\\r\\n\\r\\n${req.body === undefined ? '' : '%s'}`;
  return `exec 3<>/dev/tcp/${req.host}/${req.port} && printf ${shellQuote(format)} ${args.join(' ')} >&3 && read -r _ code _ <&3`;
}

/**
 * The status code of one request (empty when the connection fails), as a command substitution so a
 * refused connection cannot end the script.
 */
function bashStatusOf(req: RawHttpRequest): string {
  return `$(${bashSend(req)} && echo "$code")`;
}

/** A bash test that the status code in $code is the expected one, or any 2xx. */
export function bashStatusTest(expected: number | undefined): string {
  return expected === undefined ? '[[ "$code" == 2?? ]]' : `[ "$code" = ${expected} ]`;
}

/**
 * Retries a request until its status is one of `accepted`, every 200 ms for up to `seconds`: the
 * target may have just started (Consul answers 500 until it has a leader).
 */
export function bashRetryRequest(
  req: RawHttpRequest,
  accepted: readonly number[],
  what: string,
  seconds = 120,
): string {
  const ok = accepted.map((s) => `"$code" = ${s}`).join(' ] || [ ');
  return [
    `for ((try = 0; try < ${seconds * 5}; try++)); do`,
    `  code=${bashStatusOf(req)}`,
    `  if [ ${ok} ]; then echo ${shellQuote(`mkdev: ${what}`)}; break; fi`,
    '  sleep 0.2',
    'done 2>/dev/null',
    `[ ${ok} ] || { echo ${shellQuote(`mkdev: could not ${what} (last HTTP status: `)}"$code)" >&2; exit 1; }`,
  ].join('\n');
}
