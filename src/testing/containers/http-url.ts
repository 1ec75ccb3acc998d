// A base URL for a published port; an IPv6 engine host needs brackets to be a valid URL host.
export function httpUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
