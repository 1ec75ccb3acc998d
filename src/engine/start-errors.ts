// Engine errors at container start, turned into messages a user can act on.
import { UserError } from '../errors.ts';
import { engineError } from './engine-error.ts';

export function explainStartError(error: unknown, service: string): Error {
  const message = error instanceof Error ? error.message : String(error);
  const port = /(?:Bind for |listen tcp4? )([\d.]*:(\d+))(?: failed|: bind)/.exec(message);
  if (port || /port is already allocated|address already in use/.test(message)) {
    const hostPort = port?.[2] ?? '?';
    return new UserError(`${service}: host port ${port?.[1] ?? hostPort} is already in use`, {
      hint: `stop whatever holds port ${hostPort}, or move ${service}'s port (see the MKDEV_*_PORT variables in the stack file, or 'ports:' in mkdev.yaml)`,
    });
  }
  return engineError(error, { service, doing: 'starting the container' });
}
