import { connect } from 'node:net';
import { notReady, type Probe, READY, reasonOf, requirePort } from './probe.ts';

/** Ready when a TCP connection is accepted. */
export function tcpProbe(port: number): Probe {
  return {
    description: `TCP :${port} accepts`,
    check(target, signal) {
      const hostPort = requirePort(target, port);
      return new Promise((resolve) => {
        const socket = connect({ host: target.host, port: hostPort, signal });
        socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
        socket.once('connect', () => {
          socket.destroy();
          resolve(READY);
        });
        socket.once('error', (error) => resolve(notReady(reasonOf(error))));
      });
    },
  };
}
