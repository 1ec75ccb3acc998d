import { connect } from 'node:net';
import { notReady, type Probe, READY, reasonOf, requirePort } from './probe.ts';

/**
 * How long an accepted connection must stay open to count. A published port is served on the host by
 * the engine's docker-proxy, which accepts every connection and only then dials the container: when
 * nothing listens there it closes the connection ~1 ms after accepting (measured on engine 20.10.24),
 * so an accept alone proves nothing. A listening service keeps the connection open (or greets). Every
 * `status` pays the hold once (probes run side by side): 50 ms made it ~45 ms slower, so 25 ms, the
 * poll interval, still ~25 times the proxy's close.
 */
const HOLD_MS = 25;

/** Ready when a TCP connection is accepted and is not closed at once. */
export function tcpProbe(port: number): Probe {
  return {
    description: `TCP :${port} accepts`,
    check(target, signal) {
      const hostPort = requirePort(target, port);
      return new Promise((resolve) => {
        const socket = connect({ host: target.host, port: hostPort, signal });
        const settle = (result: ReturnType<typeof notReady> | typeof READY) => {
          clearTimeout(hold);
          socket.destroy();
          resolve(result);
        };
        let hold: NodeJS.Timeout | undefined;
        socket.setTimeout(2000, () => settle(notReady('timeout')));
        socket.once('connect', () => {
          hold = setTimeout(() => settle(READY), HOLD_MS);
        });
        // A greeting (SMTP, MySQL, ...) is an answer from the service itself.
        socket.once('data', () => settle(READY));
        socket.once('end', () =>
          settle(notReady('accepted, then closed at once: nothing listens behind the published port yet')),
        );
        socket.once('error', (error) => settle(notReady(reasonOf(error))));
      });
    },
  };
}
