// Binds the dashboard to 127.0.0.1 (never another interface), and names a taken port and its holder.
import type { Server } from 'node:http';
import type { EngineConnection } from '../engine/engine.ts';
import { localPortHolder } from '../engine/host-ports.ts';
import { UserError } from '../errors.ts';

export async function listenLocal(server: Server, port: number, engine?: EngineConnection): Promise<number> {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const holder =
        code !== 'EADDRINUSE' ? undefined : engine ? await engine.portHolder(port) : localPortHolder(port);
      throw new UserError(
        code === 'EADDRINUSE'
          ? `port ${port} on 127.0.0.1 is already in use${holder ? ` (held by ${holder})` : ''}`
          : `port ${port} on 127.0.0.1 needs privileges mkdev does not have`,
        { hint: 'pass --port <N> for another port, or --port 0 for any free one' },
      );
    }
    throw error;
  }
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : port;
}
