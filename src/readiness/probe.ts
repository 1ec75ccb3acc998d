// A readiness probe answers one question, once: is the service ready now? Polling, deadlines and
// failure reports live in wait-until-ready.ts, so each probe stays a few lines.

export interface ProbeTarget {
  /** Host where published ports are reached. */
  readonly host: string;
  /** The host port published for a container port, or undefined when it is not published. */
  hostPort(containerPort: number, protocol?: 'tcp' | 'udp'): number | undefined;
  exec(command: readonly string[]): Promise<{ exitCode: number; output: string }>;
  /** Everything the container has logged so far. */
  logs(): Promise<string>;
  /** Where another service of the stack is published (its first replica), for probes through it. */
  peer?(service: string): PeerTarget | undefined;
}

export interface PeerTarget {
  readonly host: string;
  hostPort(containerPort: number, protocol?: 'tcp' | 'udp'): number | undefined;
}

export type ProbeResult = { readonly ready: true } | { readonly ready: false; readonly reason: string };

export interface Probe {
  /** What is awaited, for progress lines and timeout messages: "GET :8100/status/ready -> 200". */
  readonly description: string;
  check(target: ProbeTarget, signal: AbortSignal): Promise<ProbeResult>;
}

export const READY: ProbeResult = { ready: true };
export const notReady = (reason: string): ProbeResult => ({ ready: false, reason });

export function requirePort(target: ProbeTarget, port: number): number {
  const published = target.hostPort(port);
  if (published === undefined) throw new Error(`container port ${port} is not published`);
  return published;
}

export function reasonOf(error: unknown): string {
  if (error instanceof Error) {
    const code =
      (error as NodeJS.ErrnoException).code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
    return code ? `${code}` : error.message;
  }
  return String(error);
}
